package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/deliver/delivertest"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/unsub"
	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
)

// testPublicURL is the public URL of the e2e tests' server: a TLS-terminating proxy's
// address, so that the messages carry the https one-click link; the tests post to the
// server behind it.
const testPublicURL = "https://lists.example.test"

// footerSettings gives the workspace the sender identity and postal address every campaign
// message's footer carries (a start is refused without them).
func footerSettings(t *testing.T, a *App) {
	t.Helper()
	for name, v := range map[string]string{"sender.name": "Example Sender Ltd", "sender.postal_address": "1 Main Street, Springfield 12345"} {
		if err := a.Workspaces.SetSetting(context.Background(), a.Workspace.ID, name, v); err != nil {
			t.Fatal(err)
		}
	}
}

// authSender makes a's workspace ready to send as domain: the footer's settings, an
// RSA-2048 DKIM key (selector cl1) and a DNS zone publishing SPF, DMARC and the key's
// record, which the pre-flight asks (a.Cfg.DNSServer). It rebuilds the campaign service so
// that the configuration set before it (relay, public URL) is used. It returns the zone's
// resolver.
func authSender(t *testing.T, a *App, domain string, postal bool) *verify.DNSResolver {
	t.Helper()
	ctx := context.Background()
	settings := map[string]string{"sender.name": "Example Sender Ltd"}
	if postal {
		settings["sender.postal_address"] = "1 Main Street\nSpringfield 12345"
	}
	for name, v := range settings {
		if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, name, v); err != nil {
			t.Fatal(err)
		}
	}
	k, err := a.DKIM.Generate(ctx, a.Workspace.ID, domain, "cl1", campaign.DKIMRSA)
	if err != nil {
		t.Fatal(err)
	}
	var chunks []string
	for rec := k.Record; rec != ""; {
		n := min(len(rec), 200)
		chunks, rec = append(chunks, `"`+rec[:n]+`"`), rec[n:]
	}
	zone := verifytest.Records{RRs: []string{
		domain + `. TXT "v=spf1 ip4:192.0.2.0/24 -all"`,
		`_dmarc.` + domain + `. TXT "v=DMARC1; p=none"`,
		k.RecordName + `. TXT ` + strings.Join(chunks, " "),
	}}
	a.Cfg.DNSServer = zone.Serve(t)
	a.Campaigns = a.newCampaigns()
	r, err := verify.NewDNSResolver(verify.DNSConfig{Server: a.Cfg.DNSServer})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// received is one message the relay got, with its decoded parts.
type received struct {
	hdr        mail.Header
	envFrom    string
	to         string
	raw        []byte
	text, html string
}

func parseReceived(t *testing.T, m delivertest.Message) received {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("message to %s: %v", m.To, err)
	}
	r := received{hdr: msg.Header, envFrom: m.From, to: m.To, raw: m.Data}
	// The body's parts, decoded (quoted-printable), found by their content types.
	body, _ := io.ReadAll(msg.Body)
	r.text, r.html = decodedPart(t, msg.Header, body, "text/plain"), decodedPart(t, msg.Header, body, "text/html")
	return r
}

// waitFinished waits up to limit for campaign id to finish, failing with its delivery
// counts when it does not.
func waitFinished(t *testing.T, a *App, id int64, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		c, err := a.Campaigns.Campaign(context.Background(), a.Workspace.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.State == campaign.Finished {
			return
		}
		if time.Now().After(deadline) {
			counts, _ := a.Campaigns.Report(context.Background(), a.Workspace.ID, id)
			t.Fatalf("campaign %d still %s after %s: %+v", id, c.State, limit, counts.ByState)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestCampaignEndToEnd: contacts imported with consent (and one on legitimate interest) →
// a campaign with a personalised, conditional template → the start refused until the
// postal address is set → started; serve's River workers send through a real go-smtp relay
// → each message parsed: personalised subject (a CRLF in a name injects nothing), From,
// Message-ID, List-Id, Feedback-ID, List-Unsubscribe (https + mailto) with One-Click, a VERP
// Return-Path that decodes to workspace/campaign/contact, a DKIM signature that verifies
// against the test DNS, the footer (sender, postal address, unsubscribe link), the
// processing notice and provenance for the legitimate-interest recipient only, tracked
// links but not the unsubscribe link → the one-click POST from the header suppresses the
// contact → a second campaign skips them.
func TestCampaignEndToEnd(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		ws := a.Workspace.ID
		a.Cfg.DataDir = t.TempDir()
		sink := &delivertest.Sink{}
		relay, _ := delivertest.Start(t, sink, "none")
		a.Cfg.SMTPAddr, a.Cfg.SMTPTLS, a.Cfg.PublicURL = relay, "none", testPublicURL
		res := authSender(t, a, "sender.test", false)
		for _, s := range []string{"tracking.opens", "tracking.clicks"} {
			if err := a.Workspaces.SetSetting(ctx, ws, s, "true"); err != nil {
				t.Fatal(err)
			}
		}

		declare(t, a, "first_name", "plan")
		csv := "email,first_name,plan\nann@mail.test,Ann,pro\n\"eve@mail.test\",\"Eve\r\nBcc: victim@evil.test\",free\ncarl@mail.test,Carl,free\n"
		importFile(t, a, writeFile(t, "people.csv", []byte(csv)), func(r *contact.ImportRequest) { r.List = "news" })
		for _, e := range []string{"ann@mail.test", "eve@mail.test", "carl@mail.test"} {
			c, err := a.st.ContactByEmail(ctx, ws, e)
			if err != nil {
				t.Fatal(err)
			}
			ledger(t, a, c, "product-updates", consent.Email, "gc")
		}
		importFile(t, a, writeFile(t, "b2b.csv", []byte("email,country\nbob@acme-bv.nl,nl\n")), func(r *contact.ImportRequest) {
			r.List, r.Source = "news", contact.Source{Type: "b2b-public-research", Description: "Dutch trade register"}
		})
		if _, err := a.Consents.SetLIA(ctx, consent.LIA{WorkspaceID: ws, Purpose: "product-updates",
			PurposeText: "telling buyers about our tools", Necessity: "they choose tools", Balancing: "low intrusion", ApprovedBy: "DPO"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Consents.SetLIReasonByEmail(ctx, "bob@acme-bv.nl", consent.LIReason{WorkspaceID: ws,
			Purpose: "product-updates", Reason: "head of procurement", RecordedBy: "test"}); err != nil {
			t.Fatal(err)
		}
		list, err := a.Contacts.ListByName(ctx, ws, "news")
		if err != nil {
			t.Fatal(err)
		}
		newCampaign := func(name string) campaign.Campaign {
			c, err := a.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: ws, Name: name, Purpose: "product-updates",
				Lists: []int64{list.ID}, FromName: "Sender News", FromAddress: "news@sender.test",
				Content: campaign.Content{Subject: "Hello {{.Contact.first_name}}, {{.Campaign.name}}",
					HTML: `<html><head><style>p{color:#333}</style></head><body><p>Dear {{.Contact.first_name}},</p>` +
						`{{if eq .Contact.plan "pro"}}<p>Thanks for being a pro.</p>{{else}}<p>Try pro.</p>{{end}}` +
						`<p><a href="https://shop.example.com/tools">See the tools</a></p></body></html>`}})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		c := newCampaign("Spring tools")

		// Without the postal address, the start is refused and says what to set.
		if _, err := a.Campaigns.Start(ctx, ws, c.ID); !errors.Is(err, campaign.ErrInvalid) ||
			!strings.Contains(err.Error(), `clearlist setting set sender.postal_address`) {
			t.Fatalf("start without a postal address: %v", err)
		}
		if err := a.Workspaces.SetSetting(ctx, ws, "sender.postal_address", "1 Main Street\nSpringfield 12345"); err != nil {
			t.Fatal(err)
		}
		aud, err := a.Campaigns.Preflight(ctx, ws, c.ID)
		if err != nil || aud.Eligible != 4 || aud.Sender == nil || aud.Sender.Blocking || aud.NotReady != "" {
			t.Fatalf("preflight: %+v, %v", aud, err)
		}
		if !hasFinding(aud, "dkim", "pass") {
			t.Errorf("preflight findings %+v: want dkim pass", aud.Sender.Findings)
		}

		base, stop := startServer(t, a)
		defer stop()
		waitFor(t, func() bool { // serve's job client is up: the start enqueues on it
			a.queue.mu.Lock()
			defer a.queue.mu.Unlock()
			return a.queue.serve != nil
		})
		// The API's pre-flight carries the sender report beside the audience.
		_, token, err := a.st.CreateTokenWithRole(ctx, ws, "e2e", store.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		code, body := apiCall(t, "GET", fmt.Sprintf("%s/api/v1/campaigns/%d/preflight", base, c.ID), token, "", "")
		if code != 200 || !strings.Contains(body, `"sender":{`) || !strings.Contains(body, `"check":"dkim","status":"pass"`) ||
			!strings.Contains(body, `"eligible":4`) {
			t.Fatalf("API preflight: %d %s", code, body)
		}
		if aud, err = a.Campaigns.Start(ctx, ws, c.ID); err != nil || aud.Eligible != 4 {
			t.Fatalf("start: %+v, %v", aud, err)
		}
		waitFinished(t, a, c.ID, time.Minute)
		msgs := sink.Messages()
		if len(msgs) != 4 {
			t.Fatalf("the relay got %d messages, want 4", len(msgs))
		}
		verpKey, err := a.st.SigningKey(ctx, ws, campaign.VERPKeyName)
		if err != nil {
			t.Fatal(err)
		}
		byTo := map[string]received{}
		for _, m := range msgs {
			r := parseReceived(t, m)
			byTo[r.to] = r
			checkCampaignMessage(t, a, r, c, verpKey, res)
		}
		ann, eve, bob := byTo["ann@mail.test"], byTo["eve@mail.test"], byTo["bob@acme-bv.nl"]
		if testing.Verbose() {
			t.Logf("the legitimate-interest recipient's message:\n%s", bob.raw)
		}
		if s := ann.hdr.Get("Subject"); s != "Hello Ann, Spring tools" {
			t.Errorf("ann's subject %q", s)
		}
		if !strings.Contains(ann.text, "Thanks for being a pro.") || strings.Contains(byTo["carl@mail.test"].text, "Thanks for being a pro.") ||
			!strings.Contains(byTo["carl@mail.test"].text, "Try pro.") {
			t.Errorf("conditional: ann %q\ncarl %q", ann.text, byTo["carl@mail.test"].text)
		}
		if s := eve.hdr.Get("Subject"); s != "Hello Eve Bcc: victim@evil.test, Spring tools" || eve.hdr.Get("Bcc") != "" {
			t.Errorf("eve's subject %q, Bcc %q: the CRLF in her name must not make a header", s, eve.hdr.Get("Bcc"))
		}
		for _, m := range msgs {
			if m.To == "victim@evil.test" {
				t.Error("a message went to the injected Bcc")
			}
		}
		if !strings.Contains(bob.text, "telling buyers about our tools") || !strings.Contains(bob.text, "Dutch trade register") ||
			!strings.Contains(bob.text, "Why you get this") {
			t.Errorf("the legitimate-interest recipient's footer lacks the notice or provenance:\n%s", bob.text)
		}
		if strings.Contains(ann.text, "telling buyers about our tools") {
			t.Errorf("a consent recipient got the legitimate-interest notice:\n%s", ann.text)
		}

		// The one-click POST from Ann's header, to the server behind the proxy.
		oneClick := strings.Trim(strings.SplitN(ann.hdr.Get("List-Unsubscribe"), ",", 2)[0], "<> ")
		resp, body := post(t, strings.Replace(oneClick, testPublicURL, base, 1), "application/x-www-form-urlencoded",
			strings.NewReader(unsub.OneClickBody), nil)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" {
			t.Fatalf("one-click: %d %s", resp.StatusCode, body)
		}
		checkEligible(t, a, "ann@mail.test", "product-updates", false)

		c2 := newCampaign("Summer tools")
		if aud, err = a.Campaigns.Start(ctx, ws, c2.ID); err != nil || aud.Eligible != 3 {
			t.Fatalf("second start: %+v, %v", aud, err)
		}
		waitFinished(t, a, c2.ID, time.Minute)
		second := sink.Messages()[4:]
		if len(second) != 3 {
			t.Fatalf("the second campaign sent %d messages, want 3", len(second))
		}
		for _, m := range second {
			if m.To == "ann@mail.test" {
				t.Error("the second campaign mailed the unsubscribed contact")
			}
		}
	})
}

func hasFinding(a campaign.Audience, check, status string) bool {
	for _, f := range a.Sender.Findings {
		if f.Check == check && f.Status == status {
			return true
		}
	}
	return false
}

// checkCampaignMessage checks what every message of campaign c must carry.
func checkCampaignMessage(t *testing.T, a *App, r received, c campaign.Campaign, verpKey []byte, res *verify.DNSResolver) {
	t.Helper()
	h := r.hdr
	if from, err := h.AddressList("From"); err != nil || len(from) != 1 || from[0].Address != "news@sender.test" || from[0].Name != "Sender News" {
		t.Errorf("%s: From %q: %v", r.to, h.Get("From"), err)
	}
	lu, lup := h.Get("List-Unsubscribe"), h.Get("List-Unsubscribe-Post")
	if !strings.HasPrefix(lu, "<"+testPublicURL+unsub.PathPrefix) || !strings.Contains(lu, "<mailto:unsubscribe+") || lup != unsub.OneClickBody {
		t.Errorf("%s: List-Unsubscribe %q, -Post %q", r.to, lu, lup)
	}
	wsID, cid, contactID, err := deliver.VERPDecode(verpKey, r.envFrom)
	k, kerr := a.st.ContactByEmail(context.Background(), a.Workspace.ID, r.to)
	if err != nil || kerr != nil || wsID != a.Workspace.ID || cid != c.ID || contactID != k.ID || !strings.HasSuffix(r.envFrom, "@sender.test") {
		t.Errorf("%s: Return-Path %q decodes to %d/%d/%d (%v), want %d/%d/%d", r.to, r.envFrom, wsID, cid, contactID, err, a.Workspace.ID, c.ID, k.ID)
	}
	if id := h.Get("Message-ID"); !strings.HasPrefix(id, "<c") || !strings.HasSuffix(id, "@sender.test>") {
		t.Errorf("%s: Message-ID %q", r.to, id)
	}
	if !strings.Contains(h.Get("List-Id"), ".sender.test>") || !strings.HasPrefix(h.Get("Feedback-ID"), "c") {
		t.Errorf("%s: List-Id %q, Feedback-ID %q", r.to, h.Get("List-Id"), h.Get("Feedback-ID"))
	}
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(r.raw), &dkim.VerifyOptions{LookupTXT: func(d string) ([]string, error) {
		return res.LookupTXT(context.Background(), d)
	}})
	if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "sender.test" {
		t.Errorf("%s: DKIM %+v, %v", r.to, vs, err)
	} else if hk := strings.Join(vs[0].HeaderKeys, " "); !strings.Contains(hk, "List-Unsubscribe-Post") {
		t.Errorf("%s: the signature does not cover List-Unsubscribe-Post: %s", r.to, hk)
	}
	for _, part := range []string{r.text, r.html} {
		if !strings.Contains(part, "Example Sender Ltd") || !strings.Contains(part, "1 Main Street, Springfield 12345") ||
			!strings.Contains(part, testPublicURL+unsub.PathPrefix) {
			t.Errorf("%s: footer missing sender, postal address or unsubscribe link:\n%s", r.to, part)
		}
	}
	if !strings.Contains(r.html, testPublicURL+"/c/") || strings.Contains(r.html, `href="https://shop.example.com/tools"`) ||
		!strings.Contains(r.html, testPublicURL+"/o/") {
		t.Errorf("%s: tracking (click link, pixel) missing:\n%s", r.to, r.html)
	}
}

// decodedPart returns the decoded body of the first part of type ctype (the message
// itself, or a part of a multipart/alternative), "" when there is none.
func decodedPart(t *testing.T, h mail.Header, body []byte, ctype string) string {
	t.Helper()
	mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type %q: %v", h.Get("Content-Type"), err)
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if err != nil {
				return ""
			}
			b, _ := io.ReadAll(p)
			if got := decodedPart(t, mail.Header(p.Header), b, ctype); got != "" {
				return got
			}
		}
	}
	if mt != ctype {
		return ""
	}
	if strings.EqualFold(h.Get("Content-Transfer-Encoding"), "quoted-printable") {
		b, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	return string(body)
}

// TestCampaignStartRefusedBySender: with a relay configured, a sender whose domain publishes
// no DMARC record and has no DKIM key fails the pre-flight, and the start is refused with
// each failing check and the record to publish; nothing is queued.
func TestCampaignStartRefusedBySender(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		ws := a.Workspace.ID
		relay, _ := delivertest.Start(t, &delivertest.Sink{}, "none")
		a.Cfg.SMTPAddr, a.Cfg.SMTPTLS, a.Cfg.PublicURL = relay, "none", testPublicURL
		a.Cfg.DNSServer = verifytest.Records{RRs: []string{`bare.test. TXT "v=spf1 -all"`}}.Serve(t)
		a.Campaigns = a.newCampaigns()
		for name, v := range map[string]string{"sender.name": "Bare Ltd", "sender.postal_address": "2 Side St"} {
			if err := a.Workspaces.SetSetting(ctx, ws, name, v); err != nil {
				t.Fatal(err)
			}
		}
		importFile(t, a, writeFile(t, "one.csv", []byte("email\nann@mail.test\n")), func(r *contact.ImportRequest) { r.List = "bare" })
		c, err := a.st.ContactByEmail(ctx, ws, "ann@mail.test")
		if err != nil {
			t.Fatal(err)
		}
		ledger(t, a, c, "newsletter", consent.Email, "gc")
		list, err := a.Contacts.ListByName(ctx, ws, "bare")
		if err != nil {
			t.Fatal(err)
		}
		k, err := a.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: ws, Name: "bare", Purpose: "newsletter",
			Lists: []int64{list.ID}, FromAddress: "news@bare.test", Content: campaign.Content{Subject: "Hi", Text: "Hello"}})
		if err != nil {
			t.Fatal(err)
		}
		aud, err := a.Campaigns.Start(ctx, ws, k.ID)
		if !errors.Is(err, campaign.ErrInvalid) || aud.Sender == nil || !aud.Sender.Blocking ||
			!strings.Contains(err.Error(), "dmarc:") || !strings.Contains(err.Error(), "_dmarc.bare.test. IN TXT") ||
			!strings.Contains(err.Error(), "clearlist keys dkim generate --domain bare.test") {
			t.Fatalf("start: %+v, %v", aud, err)
		}
		counts, err := a.Campaigns.Report(ctx, ws, k.ID)
		if err != nil || counts.ByState[campaign.Queued] != 0 {
			t.Errorf("deliveries after a refused start: %+v, %v", counts, err)
		}
		if got, _ := a.Campaigns.Campaign(ctx, ws, k.ID); got.State != campaign.Draft {
			t.Errorf("state %s after a refused start", got.State)
		}
	})
}
