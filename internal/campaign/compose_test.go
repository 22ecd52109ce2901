package campaign_test

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/unsub"
)

// memKeys is a KeyStore in memory, recording the audit actions of its writes.
type memKeys struct {
	mu      sync.Mutex
	keys    map[string][]byte
	actions []string
}

func (m *memKeys) SigningKey(_ context.Context, ws int64, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string][]byte{}
	}
	if k, ok := m.keys[name]; ok {
		return k, nil
	}
	m.keys[name] = bytes.Repeat([]byte{byte(len(m.keys) + 1)}, 32)
	return m.keys[name], nil
}

func (m *memKeys) ExistingSigningKey(_ context.Context, _ int64, name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if k, ok := m.keys[name]; ok {
		return k, nil
	}
	return nil, errs.ErrNotFound
}

func (m *memKeys) PutSigningKey(_ context.Context, _ int64, name string, secret []byte, action string, _ ...audit.Change) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string][]byte{}
	}
	m.keys[name] = secret
	m.actions = append(m.actions, action)
	return nil
}

type settingsMap map[string]string

func (s settingsMap) Setting(_ context.Context, _ int64, name string) (string, bool, error) {
	v, ok := s[name]
	return v, ok, nil
}

type linkSource struct{}

func (linkSource) Links(_ context.Context, ws int64, base, domain string) (unsub.Links, error) {
	return unsub.NewLinks(ws, bytes.Repeat([]byte{9}, 32), base, domain), nil
}

type notices string

func (n notices) ProcessingNotice(context.Context, int64, string) (string, error) {
	return string(n), nil
}

func newComposer(t testing.TB, settings settingsMap) (*campaign.Composer, *memKeys) {
	t.Helper()
	keys := &memKeys{}
	return &campaign.Composer{Settings: settings, Links: linkSource{}, Notices: notices("We process your data because."),
		Keys: keys, DKIM: campaign.NewDKIMKeys(keys), PublicBase: "https://lists.example.com"}, keys
}

func readySettings() settingsMap {
	return settingsMap{campaign.SettingSenderName: "Example Ltd", campaign.SettingPostalAddress: "1 High St, London"}
}

func testCampaign() campaign.Campaign {
	return campaign.Campaign{ID: 7, WorkspaceID: 3, Name: "Spring \"sale\" <now>", Purpose: "newsletter", FromName: "News",
		FromAddress: "news@example.com", UpdatedAt: time.Unix(100, 0),
		Content: campaign.Content{Subject: "Hi {{.Contact.first_name}}", HTML: `<p>Hello {{.Contact.first_name}} from {{.Contact.country}}</p>`}}
}

// TestComposerMessage: one recipient's message carries the personalisation, the footer, the
// unsubscribe pair, a VERP Return-Path that decodes back, List-Id, Feedback-ID and a DKIM
// signature; the legitimate-interest notice only for that basis.
func TestComposerMessage(t *testing.T) {
	ctx := context.Background()
	k, keys := newComposer(t, readySettings())
	if _, err := k.DKIM.Generate(ctx, 3, "example.com", "s1", campaign.DKIMEd25519); err != nil {
		t.Fatal(err)
	}
	c := testCampaign()
	for _, tc := range []struct {
		name   string
		r      campaign.Recipient
		notice bool
	}{
		{"consent", campaign.Recipient{ContactID: 11, Address: "ann@example.org", Attrs: []byte(`{"first_name":"Ann"}`), Country: "DE", Basis: "consent"}, false},
		{"legitimate interest", campaign.Recipient{ContactID: 12, Address: "bob@acme.example", Attrs: []byte(`{"first_name":"Bob"}`),
			Basis: "legitimate interest", Provenance: "your details came from a trade fair."}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := k.Render(ctx, c, tc.r)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Validate(); err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(m.Subject, "Hi ") || m.UnsubscribeURL == "" || !strings.HasPrefix(m.UnsubscribeMailto, "mailto:unsubscribe+") ||
				m.DKIM == nil || m.ListID != "Spring sale now <newsletter.ws3.example.com>" || m.FeedbackID != "c7:ws3:newsletter:clearlist" {
				t.Errorf("message %+v", m)
			}
			ws, cid, contactID, err := deliver.VERPDecode(keys.keys[campaign.VERPKeyName], m.ReturnPath)
			if err != nil || ws != 3 || cid != 7 || contactID != tc.r.ContactID || !strings.HasSuffix(m.ReturnPath, "@example.com") {
				t.Errorf("Return-Path %q: %d %d %d %v", m.ReturnPath, ws, cid, contactID, err)
			}
			for _, part := range []string{m.Text, m.HTML} {
				if !strings.Contains(part, "Example Ltd") || !strings.Contains(part, "1 High St, London") || !strings.Contains(part, m.UnsubscribeURL) {
					t.Errorf("footer missing in %q", part)
				}
				if strings.Contains(part, "We process your data because.") != tc.notice || strings.Contains(part, "trade fair") != tc.notice {
					t.Errorf("notice shown %v, want %v: %q", !tc.notice, tc.notice, part)
				}
			}
			if tc.r.Country != "" && !strings.Contains(m.HTML, "from DE") {
				t.Errorf("country not in the data: %s", m.HTML)
			}
			raw, err := m.Bytes()
			if err != nil || !bytes.HasPrefix(raw, []byte("DKIM-Signature:")) {
				t.Fatalf("bytes: %v\n%s", err, raw)
			}
		})
	}
}

// TestComposerReady: a campaign whose footer would lack the sender identity or the postal
// address is refused, naming the command that sets it; nothing renders without them.
func TestComposerReady(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		missing string
	}{{campaign.SettingSenderName}, {campaign.SettingPostalAddress}} {
		s := readySettings()
		delete(s, tc.missing)
		k, _ := newComposer(t, s)
		err := k.Ready(ctx, testCampaign())
		if !errors.Is(err, campaign.ErrInvalid) || !errors.Is(err, campaign.ErrNotReady) ||
			!strings.Contains(err.Error(), "clearlist setting set "+tc.missing) {
			t.Errorf("without %s: %v", tc.missing, err)
		}
		if _, err := k.Render(ctx, testCampaign(), campaign.Recipient{ContactID: 1, Address: "a@example.org"}); err == nil {
			t.Errorf("without %s a message rendered", tc.missing)
		}
	}
	k, _ := newComposer(t, readySettings())
	if err := k.Ready(ctx, testCampaign()); err != nil {
		t.Fatal(err)
	}
}

// TestComposerNoInjection: CR and LF in a contact's attributes, wherever the template puts
// them, never make a header: the subject stays one line and the message has no Bcc.
func TestComposerNoInjection(t *testing.T) {
	k, _ := newComposer(t, readySettings())
	c := testCampaign()
	c.Subject = "{{.Contact.first_name}} news"
	for _, name := range []string{"Eve\r\nBcc: victim@evil.test", "Eve\nBcc: x@y", "Eve\rTo: z@y", "Eve\u2028Bcc: a@b", "\r\n\r\n<b>body</b>"} {
		attrs := `{"first_name":` + jsonString(name) + `}`
		m, err := k.Render(context.Background(), c, campaign.Recipient{ContactID: 5, Address: "eve@example.org", Attrs: []byte(attrs)})
		if err != nil {
			t.Fatal(err)
		}
		checkNoInjection(t, m)
	}
}

func checkNoInjection(t *testing.T, m deliver.Message) {
	t.Helper()
	if strings.ContainsAny(m.Subject, "\r\n") {
		t.Fatalf("subject %q has a line break", m.Subject)
	}
	raw, err := m.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(msg.Header["Bcc"]) != 0 || len(msg.Header["To"]) != 1 || len(msg.Header["Subject"]) != 1 {
		t.Fatalf("injected headers: %v", msg.Header)
	}
}

func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			b.WriteString(`\u00`)
			b.WriteByte("0123456789abcdef"[r>>4])
			b.WriteByte("0123456789abcdef"[r&15])
		default:
			b.WriteRune(r)
		}
	}
	return b.String() + `"`
}

// FuzzComposerHeaders: whatever a contact's name holds, the message validates and carries
// exactly one To and one Subject, and no Bcc.
func FuzzComposerHeaders(f *testing.F) {
	for _, s := range []string{"Ann", "Eve\r\nBcc: x@y", "\x00\x7f", "=?utf-8?q?x?=", "\u0085Bcc: a@b"} {
		f.Add(s)
	}
	k, _ := newComposer(f, readySettings())
	c := testCampaign()
	c.Subject = "{{.Contact.first_name}}: news"
	f.Fuzz(func(t *testing.T, name string) {
		m, err := k.Render(context.Background(), c, campaign.Recipient{ContactID: 5, Address: "eve@example.org",
			Attrs: []byte(`{"first_name":` + jsonString(name) + `}`)})
		if err != nil {
			return // invalid UTF-8 in JSON and the like: refused, not sent
		}
		checkNoInjection(t, m)
	})
}

// TestComposerCache: a campaign's parts are prepared once per version (an edit, a start),
// and the cache is bounded.
func TestComposerCache(t *testing.T) {
	ctx := context.Background()
	k, _ := newComposer(t, readySettings())
	k.MaxCached = 2
	c := testCampaign()
	r := campaign.Recipient{ContactID: 1, Address: "a@example.org", Attrs: []byte(`{"first_name":"A"}`)}
	m1, _ := k.Render(ctx, c, r)
	c.Subject = "Changed {{.Contact.first_name}}"
	if m, _ := k.Render(ctx, c, r); m.Subject != m1.Subject {
		t.Errorf("the same version rendered %q then %q: it was prepared twice", m1.Subject, m.Subject)
	}
	c.UpdatedAt = c.UpdatedAt.Add(time.Second)
	if m, _ := k.Render(ctx, c, r); m.Subject != "Changed A" {
		t.Errorf("a new version rendered %q", m.Subject)
	}
	for i := range 10 {
		c.ID = int64(100 + i)
		if _, err := k.Render(ctx, c, r); err != nil {
			t.Fatal(err)
		}
	}
}

// TestComposerTestSend: a recipient without a contact (a test send, the start's trial)
// gets a footer but no List-Unsubscribe and no VERP address.
func TestComposerTestSend(t *testing.T) {
	k, _ := newComposer(t, readySettings())
	m, err := k.Render(context.Background(), testCampaign(), campaign.Recipient{Address: "me@example.org", Attrs: []byte("{}")})
	if err != nil || m.UnsubscribeURL != "" || m.ReturnPath != "" || !strings.Contains(m.Text, "1 High St") {
		t.Fatalf("%+v %v", m, err)
	}
}

// TestDKIMKeys: keys of both algorithms are stored (audited), read back with their records,
// and sign only for a From domain they align with; bad input is refused.
func TestDKIMKeys(t *testing.T) {
	ctx := context.Background()
	keys := &memKeys{}
	d := campaign.NewDKIMKeys(keys)
	rsaKey, err := d.Generate(ctx, 1, "Example.com.", "s2026", "")
	if err != nil || rsaKey.Algorithm != "rsa" || rsaKey.RecordName != "s2026._domainkey.example.com" || !strings.HasPrefix(rsaKey.Record, "v=DKIM1; k=rsa; p=") {
		t.Fatalf("%+v %v", rsaKey, err)
	}
	if _, err := d.Generate(ctx, 1, "example.com", "ed1", campaign.DKIMEd25519); err != nil {
		t.Fatal(err)
	}
	got, err := d.Keys(ctx, 1)
	if err != nil || len(got) != 2 || got[0].Record != rsaKey.Record || got[1].Algorithm != "ed25519" {
		t.Fatalf("%+v %v", got, err)
	}
	if s, use, err := d.Signer(ctx, 1, "news.example.com"); err != nil || s == nil || len(use) != 2 {
		t.Errorf("aligned: %v %d %v", s, len(use), err)
	}
	if s, _, err := d.Signer(ctx, 1, "other.org"); err != nil || s != nil {
		t.Errorf("another domain got a signer: %v %v", s, err)
	}
	if len(keys.actions) != 2 || keys.actions[0] != "dkim.generate" {
		t.Errorf("audit actions %v", keys.actions)
	}
	for _, bad := range [][3]string{{"nodot", "s1", "rsa"}, {"example.com", "bad selector", "rsa"}, {"example.com", "s1", "dsa"}} {
		if _, err := d.Generate(ctx, 1, bad[0], bad[1], bad[2]); !errors.Is(err, campaign.ErrInvalid) {
			t.Errorf("%v: %v", bad, err)
		}
	}
}

func TestProvenanceSentence(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		src  contact.Source
		want string
	}{
		{contact.Source{Type: "b2b-public-research", CreatedAt: at}, "your business contact details came to us on 2026-03-01 from b2b public research."},
		{contact.Source{Type: "business-card", Description: " Expo\nBerlin ", CollectedAt: &at, CreatedAt: at.AddDate(0, 1, 0)},
			"your business contact details came to us on 2026-03-01 from Expo Berlin (business card)."},
	} {
		if got := campaign.ProvenanceSentence(tc.src); got != tc.want {
			t.Errorf("got %q, want %q", got, tc.want)
		}
	}
}

// BenchmarkComposerRender measures one recipient's message: render with footer, links,
// VERP, and building its bytes, without and with an RSA-2048 DKIM signature.
func BenchmarkComposerRender(b *testing.B) {
	for _, dkim := range []string{"none", "rsa", "ed25519"} {
		b.Run("dkim="+dkim, func(b *testing.B) {
			ctx := context.Background()
			k, _ := newComposer(b, readySettings())
			if dkim != "none" {
				if _, err := k.DKIM.Generate(ctx, 3, "example.com", "s1", dkim); err != nil {
					b.Fatal(err)
				}
			}
			c := testCampaign()
			c.HTML = strings.Repeat(`<p>Hello {{.Contact.first_name}}, here is a paragraph of news about our products.</p>`, 50)
			r := campaign.Recipient{ContactID: 11, Address: "ann@example.org", Attrs: []byte(`{"first_name":"Ann"}`)}
			b.ReportAllocs()
			for b.Loop() {
				m, err := k.Render(ctx, c, r)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := m.Bytes(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
