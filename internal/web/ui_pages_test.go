package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/report"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	wss "github.com/clearlist/clearlist/internal/workspace"
)

// XSS probes written into the data the pages show.
const (
	xssName  = `<script>alert(1)</script>`
	xssQuote = `say "hi" & 'bye' <b>`
	xssList  = `<img src=x onerror=alert(2)>`
)

// uiFixture is a workspace with a contact (hostile name, attribute and list), a consent
// entry, a do-not-contact entry and a campaign that sent one message and failed one.
type uiFixture struct {
	*uiEnv
	contact  contact.Contact
	campaign int64
}

func newUIFixture(t *testing.T, st *store.Store) *uiFixture {
	t.Helper()
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	log := slog.New(slog.NewTextHandler(t.Output(), nil))
	scr := suppress.New(st, suppress.Options{Region: "DE"}, log)
	elig := eligibility.New(st, scr, wss.New(st))
	e := newUIEnv(t, st, func(c *Config) {
		c.Suppressions = scr
		c.Eligibility = elig
		c.Consents = consent.New(st, elig)
		c.Campaigns = campaign.New(campaign.Deps{Store: st}, campaign.Options{})
		c.Reports = report.New(st, wss.New(st))
	})
	ws := e.ws
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: ws, Type: "api", Description: "signup <form>"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: ws, Name: xssList})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	var first contact.Contact
	for i, addr := range []string{"xss@example.com", "bob@other.example"} {
		c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: ws, Email: addr, EmailCanonical: addr, Country: "DE",
			FirstSourceID: src.ID, Status: contact.StatusActive, Attrs: map[string]any{"name": xssName, "note": xssQuote}}, []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if i == 0 {
			first = c
		}
	}
	if _, err := e.srv.cfg.Consents.Record(ctx, consent.Entry{WorkspaceID: ws, ContactID: first.ID, Purpose: "newsletter",
		Channel: consent.Email, Action: consent.Granted, Basis: consent.BasisConsent, Actor: "test",
		Evidence: consent.Evidence{Wording: "Yes, send me the newsletter", Timestamp: time.Now().Add(-time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := scr.Suppress(ctx, ws, []suppress.Intake{{Value: "bob@other.example", Reason: "request-email", By: "test"}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	cp, err := st.CreateCampaign(ctx, campaign.Campaign{WorkspaceID: ws, Name: "June <news>", Purpose: "newsletter", Channel: "email",
		Lists: []int64{l.ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"},
		State: campaign.Draft, Workers: 1, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	snap := []campaign.Snapshot{{ContactID: ids[0], State: campaign.Queued}, {ContactID: ids[1], State: campaign.Queued}}
	if err := st.WriteDeliveries(ctx, ws, cp.ID, true, snap, now); err != nil {
		t.Fatal(err)
	}
	if _, err := st.ClaimCampaignDeliveries(ctx, ws, cp.ID, "p", 2, now); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordOutcomes(ctx, ws, cp.ID, "p", []campaign.Outcome{
		{ContactID: ids[0], State: campaign.Sent, MessageID: "m1@x", Attempted: true, At: now},
		{ContactID: ids[1], State: campaign.Failed, SMTPCode: 550, Reason: "no such user", Attempted: true, At: now}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"owner", "read-only", "agent", "marketer"} {
		e.addUser(r+"@example.com", r)
	}
	return &uiFixture{uiEnv: e, contact: first, campaign: cp.ID}
}

// page gets a UI page as the signed-in session and returns its status and body.
func (f *uiFixture) page(path, session string) (int, string) {
	f.t.Helper()
	r := f.do("GET", path, session, nil, nil)
	return r.StatusCode, bodyOf(f.t, r)
}

// mustContain fails unless the body holds every string.
func mustContain(t *testing.T, what, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, body)
		}
	}
}

// TestUIPages on both engines: each page shows what the services answer, in the shared layout.
func TestUIPages(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		id := f.login("owner@example.com", "")
		code, b := f.page("/ui/", id)
		if code != 200 {
			t.Fatalf("dashboard: %d %s", code, b)
		}
		mustContain(t, "dashboard", b, `<nav aria-label="Main">`, `href="/ui/contacts"`, `href="/ui/campaigns"`, `aria-current="page"`,
			`name="csrf"`, "Audience by list", ">2</td>", "Recent campaigns", "June &lt;news&gt;", "<td>draft</td>", "<td class=\"num\">1</td>")

		code, b = f.page("/ui/contacts", id)
		if code != 200 {
			t.Fatalf("contacts: %d %s", code, b)
		}
		mustContain(t, "contacts", b, "xss@example.com", "bob@other.example", fmt.Sprintf(`href="/ui/contacts/%d"`, f.contact.ID))
		code, b = f.page("/ui/contacts?email=XSS@example.com", id)
		if code != 200 || strings.Contains(b, "bob@other.example") || !strings.Contains(b, "xss@example.com") {
			t.Fatalf("search: %d %s", code, b)
		}
		if code, b = f.page("/ui/contacts?email=nobody@example.com", id); code != 404 || !strings.Contains(b, "No contact has the address") {
			t.Fatalf("search for a stranger: %d %s", code, b)
		}
		if code, _ = f.page("/ui/contacts?cursor=!!", id); code != 400 {
			t.Fatalf("bad cursor: %d", code)
		}

		code, b = f.page(fmt.Sprintf("/ui/contacts/%d", f.contact.ID), id)
		if code != 200 {
			t.Fatalf("contact: %d %s", code, b)
		}
		mustContain(t, "contact", b, "Identifiers and status", "active", "Consent timeline", "Yes, send me the newsletter",
			"granted", "Provenance", "signup &lt;form&gt;", "May we e-mail this person?", "newsletter:", "rule <code>", "Do-not-contact entries")
		if code, b = f.page(fmt.Sprintf("/ui/contacts/%d", f.contact.ID+1), id); code != 200 {
			t.Fatalf("suppressed contact: %d", code)
		}
		mustContain(t, "suppressed contact", b, "request-email", `<span class="no">no</span>`)
		if code, _ = f.page("/ui/contacts/999999", id); code != 404 {
			t.Fatalf("unknown contact: %d", code)
		}

		code, b = f.page("/ui/campaigns", id)
		if code != 200 {
			t.Fatalf("campaigns: %d %s", code, b)
		}
		mustContain(t, "campaigns", b, fmt.Sprintf(`href="/ui/campaigns/%d"`, f.campaign), "June &lt;news&gt;")
		code, b = f.page(fmt.Sprintf("/ui/campaigns/%d", f.campaign), id)
		if code != 200 {
			t.Fatalf("campaign: %d %s", code, b)
		}
		mustContain(t, "campaign", b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"`, "Messages by outcome",
			"Recipients by receiving domain", "example.com", "other.example", "50.0 %",
			fmt.Sprintf(`href="/api/v1/campaigns/%d/recipients/export?bucket=failed&amp;format=csv"`, f.campaign))
		if code, _ = f.page("/ui/campaigns/999999", id); code != 404 {
			t.Fatalf("unknown campaign: %d", code)
		}
		// The CSV link works with the session (the API's export, read-only GET).
		r := f.do("GET", fmt.Sprintf("/api/v1/campaigns/%d/recipients/export?bucket=failed&format=csv", f.campaign), id, nil, nil)
		if csv := bodyOf(t, r); r.StatusCode != 200 || !strings.Contains(csv, "bob@other.example") {
			t.Fatalf("export: %d %s", r.StatusCode, csv)
		}
		// The pages write nothing to the audit trail (reads).
		es, err := st.AuditEntries(context.Background(), f.ws, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, en := range es {
			if en.Actor.Kind == audit.User {
				t.Errorf("a page wrote %s", en.Action)
			}
		}
	})
}

// TestUIPageRoles on both engines: each page asks the route table with the session's role,
// as the API route behind it: read-only reads contacts and campaigns; an agent opens the
// dashboard (with nothing on it) but no contact or campaign page, and sees no link to them.
func TestUIPageRoles(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		ro, agent := f.login("read-only@example.com", ""), f.login("agent@example.com", "")
		contactPath, campaignPath := fmt.Sprintf("/ui/contacts/%d", f.contact.ID), fmt.Sprintf("/ui/campaigns/%d", f.campaign)
		for _, p := range []string{"/ui/", "/ui/contacts", contactPath, "/ui/campaigns", campaignPath} {
			if code, b := f.page(p, ro); code != 200 {
				t.Errorf("read-only %s: %d %s", p, code, b)
			}
		}
		for _, p := range []string{"/ui/contacts", contactPath, "/ui/contacts?email=xss@example.com", "/ui/campaigns", campaignPath} {
			code, b := f.page(p, agent)
			if code != http.StatusForbidden || !strings.Contains(b, "Your role (agent) may not open this page") || strings.Contains(b, "xss@example.com</") {
				t.Errorf("agent %s: %d %s", p, code, b)
			}
		}
		code, b := f.page("/ui/", agent)
		if code != 200 || strings.Contains(b, `href="/ui/contacts"`) || strings.Contains(b, `href="/ui/campaigns"`) ||
			strings.Contains(b, "June") || strings.Contains(b, "Audience by list") {
			t.Errorf("agent dashboard: %d %s", code, b)
		}
		if code, _ := f.page(contactPath, ""); code != http.StatusSeeOther {
			t.Errorf("contact page without a session: %d", code)
		}
	})
}

// TestUIPagesEscape on both engines: a contact's name and attributes, a list's name and a
// campaign's name with markup and quotes come back as text on every page that shows them.
func TestUIPagesEscape(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		id := f.login("owner@example.com", "")
		for _, p := range []string{"/ui/", fmt.Sprintf("/ui/contacts/%d", f.contact.ID), "/ui/contacts?email=%22%3E%3Cscript%3Ealert(3)%3C/script%3E",
			"/ui/campaigns", fmt.Sprintf("/ui/campaigns/%d", f.campaign)} {
			_, b := f.page(p, id)
			for _, raw := range []string{"<script>alert", "<img src=x", `"hi"`, "<b>", `"><script>`, "<news>"} {
				if strings.Contains(b, raw) {
					t.Errorf("%s carries %q unescaped:\n%s", p, raw, b)
				}
			}
		}
		_, b := f.page(fmt.Sprintf("/ui/contacts/%d", f.contact.ID), id)
		mustContain(t, "contact", b, "&lt;script&gt;alert(1)&lt;/script&gt;", "say &#34;hi&#34; &amp; &#39;bye&#39; &lt;b&gt;",
			"&lt;img src=x onerror=alert(2)&gt;")
	})
}

// TestBarChart: bars scale to the largest value, a non-zero count stays visible, and labels
// (receiving domains come from data) are escaped.
func TestBarChart(t *testing.T) {
	svg := barChart(`Domains <&>`, []bar{{Label: "a.example", Value: 1000}, {Label: `<script>"x"</script>`, Value: 1}, {Label: "z", Value: 0}})
	for _, want := range []string{`<title id="chart-domains----">Domains &lt;&amp;&gt;</title>`, `width="390"`, `width="2"`, `width="0"`,
		"&lt;script&gt;&#34;x&#34;&lt;/script&gt;"} {
		if !strings.Contains(svg, want) {
			t.Errorf("chart lacks %s:\n%s", want, svg)
		}
	}
	if strings.Contains(svg, "<script>") {
		t.Errorf("chart carries markup from a label:\n%s", svg)
	}
	if empty := barChart("none", nil); !strings.HasSuffix(empty, "</svg>") {
		t.Errorf("empty chart: %s", empty)
	}
}
