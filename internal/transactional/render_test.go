package transactional_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-msgauth/dkim"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/deliver/delivertest"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/transactional"
)

// got is one message the relay received, its headers and decoded parts.
type got struct {
	hdr        mail.Header
	envFrom    string
	raw        []byte
	text, html string
}

func readMessage(t *testing.T, m delivertest.Message) got {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatalf("message to %s: %v", m.To, err)
	}
	g := got{hdr: r.Header, envFrom: m.From, raw: m.Data}
	for {
		p, err := r.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, _ := p.Header.(*mail.InlineHeader).ContentType()
		b, _ := io.ReadAll(p.Body)
		switch ct {
		case "text/plain":
			g.text = string(b)
		case "text/html":
			g.html = string(b)
		}
	}
	return g
}

// TestRendered: a transactional message is rendered by campaign/render: the contact's
// attributes and the request's data personalise it (the data over the attributes), a hostile
// attribute is escaped in the HTML part, a CR/LF in a subject value splits no header, the
// style sheet is inlined, the text part is derived from the HTML, and Markdown makes the HTML
// of a Markdown body. It carries no footer, unsubscribe link or list header, is DKIM-signed
// with the workspace's key for its From domain, and its VERP return path brings its bounce
// back: the address is then refused.
func TestRendered(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st)
		key, err := e.dkim.Generate(ctx, e.ws, "shop.example", "tx1", campaign.DKIMRSA)
		if err != nil {
			t.Fatal(err)
		}
		src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: e.ws, Type: "import", Description: "test"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: e.ws, Email: "Ann@Example.com", EmailCanonical: "ann@example.com",
			FirstSourceID: src.ID, Attrs: map[string]any{"first_name": "<script>alert(1)</script>", "plan": "Basic"}}, nil); err != nil {
			t.Fatal(err)
		}
		sent, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "ann@example.com", Purpose: "receipts",
			Content: campaign.Content{Subject: "Receipt {{.Contact.order}} for {{.Contact.first_name}}",
				HTML: `<html><head><style>.total{font-weight:bold}</style></head><body><p>Hello {{.Contact.first_name}},</p>` +
					`<p class="total">Order {{.Contact.order}}: {{.Contact.plan}}</p><ul><li>Drill</li></ul></body></html>`},
			Data: map[string]any{"order": "A-17\r\nBcc: evil@example.net", "plan": "Pro"}})
		if err != nil {
			t.Fatal(err)
		}
		g := readMessage(t, e.sink.Messages()[0])
		subj, _ := g.hdr.Subject()
		if subj != "Receipt A-17 Bcc: evil@example.net for <script>alert(1)</script>" || g.hdr.Get("Bcc") != "" {
			t.Errorf("subject %q, Bcc %q", subj, g.hdr.Get("Bcc"))
		}
		if strings.Contains(g.html, "<script>") || !strings.Contains(g.html, "Hello &lt;script&gt;alert(1)&lt;/script&gt;,") ||
			!strings.Contains(g.html, "Order A-17") || !strings.Contains(g.html, "Pro</p>") ||
			!strings.Contains(g.html, `class="total" style="font-weight:bold"`) {
			t.Errorf("HTML part (escaped, personalised, inlined):\n%s", g.html)
		}
		if !strings.Contains(g.text, "Hello <script>alert(1)</script>,") || !strings.Contains(g.text, "Order A-17") ||
			!strings.Contains(g.text, "Drill") || strings.Contains(g.text, "<p") || strings.Contains(g.text, "<li") {
			t.Errorf("derived text part:\n%s", g.text)
		}
		for _, part := range []string{g.html, g.text} {
			if strings.Contains(part, "Unsubscribe") || strings.Contains(part, "Sent by") {
				t.Errorf("a receipt carries the marketing footer:\n%s", part)
			}
		}
		for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Precedence"} {
			if g.hdr.Get(h) != "" {
				t.Errorf("a receipt carries %s: %q", h, g.hdr.Get(h))
			}
		}
		if fb := g.hdr.Get("Feedback-ID"); !strings.Contains(fb, ":transactional:") {
			t.Errorf("Feedback-ID %q", fb)
		}
		vs, err := dkim.VerifyWithOptions(bytes.NewReader(g.raw), &dkim.VerifyOptions{LookupTXT: func(d string) ([]string, error) {
			if d == key.RecordName {
				return []string{key.Record}, nil
			}
			return nil, errors.New("no such record: " + d)
		}})
		if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "shop.example" {
			t.Errorf("DKIM %+v, %v", vs, err)
		}
		verp, err := st.ExistingSigningKey(ctx, e.ws, campaign.VERPKeyName)
		if err != nil {
			t.Fatal(err)
		}
		if w, cid, id, err := deliver.VERPDecode(verp, g.envFrom); err != nil || w != e.ws || cid != 0 || id != sent.ID ||
			!strings.HasSuffix(g.envFrom, "@shop.example") {
			t.Errorf("return path %q decodes to %d/%d/%d (%v)", g.envFrom, w, cid, id, err)
		}

		// Markdown, with a value that must be escaped inside it.
		if _, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "bob@example.com", Purpose: "receipts",
			Content: campaign.Content{Subject: "Your code", Markdown: "# Sign in\n\nYour code is **{{.Contact.code}}**.\n\n- valid 10 minutes"},
			Data:    map[string]any{"code": "<9&1>"}}); err != nil {
			t.Fatal(err)
		}
		g = readMessage(t, e.sink.Messages()[1])
		if !strings.Contains(g.html, "<h1") || !strings.Contains(g.html, "<strong>&lt;9&amp;1&gt;</strong>") || !strings.Contains(g.html, "<li") {
			t.Errorf("Markdown HTML:\n%s", g.html)
		}
		if !strings.Contains(g.text, "Your code is <9&1>.") || strings.Contains(g.text, "**") || strings.Contains(g.text, "<strong>") {
			t.Errorf("Markdown text part:\n%s", g.text)
		}

		// The bounce of a transactional message comes back to its VERP address and counts.
		if _, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "later@example.com", Purpose: "receipts",
			Content: campaign.Content{Subject: "Receipt", Text: "Paid."}}); err != nil {
			t.Fatal(err)
		}
		to := e.sink.Messages()[2].From
		raw := "From: MAILER-DAEMON@mx.example.com\r\nTo: " + to + "\r\nSubject: Undelivered Mail Returned to Sender\r\n" +
			"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
			"--b\r\nContent-Type: text/plain\r\n\r\nThe mailbox does not exist.\r\n" +
			"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.com\r\n\r\n" +
			"Final-Recipient: rfc822; later@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n" +
			"Diagnostic-Code: smtp; 550 5.1.1 no such user\r\n\r\n--b--\r\n"
		bs := bounce.New(st, e.dnc, bounce.Options{Parse: dsn.Parse, Classify: dsn.Classify})
		res, err := bs.IngestMessage(ctx, []byte(raw), bounce.ViaSMTP)
		if err != nil || res.Ignored != "" || len(res.Events) != 1 || res.Events[0].Action != "undeliverable" {
			t.Fatalf("bounce of a transactional message = %+v, %v", res, err)
		}
		if _, err := e.svc.Send(ctx, transactional.Request{WorkspaceID: e.ws, To: "later@example.com", Purpose: "receipts",
			Content: campaign.Content{Subject: "Receipt", Text: "Paid."}}); !errors.Is(err, transactional.ErrRefused) {
			t.Errorf("after its hard bounce: %v, want refused", err)
		}
	})
}
