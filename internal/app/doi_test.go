package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/web"
)

// mailbox is a real SMTP server on loopback that keeps the text of what it receives.
type mailbox struct {
	mu  sync.Mutex
	got map[string][]string // recipient -> plain-text bodies
}

func (m *mailbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &mailSession{m: m}, nil }

type mailSession struct {
	m  *mailbox
	to string
}

func (s *mailSession) Reset()                                    {}
func (s *mailSession) Logout() error                             { return nil }
func (s *mailSession) Mail(string, *smtp.MailOptions) error      { return nil }
func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error { s.to = to; return nil }
func (s *mailSession) Data(r io.Reader) error {
	mr, err := gomail.CreateReader(r)
	if err != nil {
		return err
	}
	p, err := mr.NextPart()
	if err != nil {
		return err
	}
	b, err := io.ReadAll(p.Body)
	s.m.mu.Lock()
	s.m.got[s.to] = append(s.m.got[s.to], string(b))
	s.m.mu.Unlock()
	return err
}

func (m *mailbox) count(to string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.got[to])
}

var linkRE = regexp.MustCompile(`https?://\S+/confirm\?token=\S+`)

// link returns the confirmation link of the last mail to the address.
func (m *mailbox) link(t *testing.T, to string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	bodies := m.got[to]
	if len(bodies) == 0 {
		t.Fatalf("no mail to %s", to)
	}
	l := linkRE.FindString(bodies[len(bodies)-1])
	if l == "" {
		t.Fatalf("no link in mail:\n%s", bodies[len(bodies)-1])
	}
	return l
}

func startMailbox(t *testing.T) (*mailbox, string) {
	t.Helper()
	m := &mailbox{got: map[string][]string{}}
	srv := smtp.NewServer(m)
	srv.Domain = "relay.test"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m, ln.Addr().String()
}

// doiEnv is a running server with the public pages, its app and the mailbox it sends to.
type doiEnv struct {
	a    *App
	doi  *signup.Service
	ts   *httptest.Server
	mail *mailbox
}

func newDOIEnv(t *testing.T, dsn string, rate int) *doiEnv {
	t.Helper()
	a := openApp(t, dsn)
	mail, addr := startMailbox(t)
	doi := a.NewDOI("", &deliver.SMTP{Addr: addr, TLS: deliver.TLSNone, Timeout: 5 * time.Second})
	srv := web.New(web.Config{DOI: doi, Contacts: a.Contacts, PublicRate: rate, Logger: a.Log, DataDir: t.TempDir(), Tokens: a.Tokens, Consents: a.Consents}, nil)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	doi.PublicURL = ts.URL
	publicList(t, a.st, a.Workspace.ID, "signups")
	return &doiEnv{a: a, doi: doi, ts: ts, mail: mail}
}

// publicList creates a list open to public sign-up.
func publicList(t *testing.T, st *store.Store, ws int64, name string) contact.List {
	t.Helper()
	l, err := st.CreateList(context.Background(), contact.List{WorkspaceID: ws, Name: name, Public: true})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func (e *doiEnv) do(t *testing.T, method, path, ctype, body, ua string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("User-Agent", ua)
	res, err := e.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (e *doiEnv) postForm(t *testing.T, path string, v url.Values, ua string) (int, string) {
	return e.do(t, "POST", path, "application/x-www-form-urlencoded", v.Encode(), ua)
}

func (e *doiEnv) postJSON(t *testing.T, ws string, body any) (int, string) {
	b, _ := json.Marshal(body)
	return e.do(t, "POST", "/api/public/"+ws+"/subscribe", "application/json", string(b), "JSONClient/1")
}

// recorded counts the ledger entries and sign-ups of all workspaces.
func (e *doiEnv) recorded(t *testing.T) (entries, signups int) {
	t.Helper()
	db := e.a.st.DB()
	if err := db.QueryRow(`SELECT COUNT(*) FROM consents`).Scan(&entries); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COUNT(*) FROM signups`).Scan(&signups); err != nil {
		t.Fatal(err)
	}
	return entries, signups
}

func tokenOf(t *testing.T, link string) string {
	t.Helper()
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("token")
}

func jsonSignup(email string, ticked ...string) map[string]any {
	return map[string]any{"email": email, "purposes_shown": []string{"newsletter", "surveys"}, "purposes_ticked": ticked,
		"prechecked": []string{}, "form_id": "landing", "form_version": "7", "wording": "Yes, e-mail me the newsletter."}
}

var formVersionRE = regexp.MustCompile(`name="form_version" value="([^"]+)"`)

// TestDoubleOptInFlow is the whole double opt-in on a real server, a real SMTP relay and the
// real store: subscribe by form, read the mail, open the link, confirm, then check the ledger.
func TestDoubleOptInFlow(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newDOIEnv(t, dsn, 1000)
		st, ws := e.a.st, e.a.Workspace.ID
		list := publicList(t, st, ws, "weekly")

		code, page := e.do(t, "GET", "/subscribe/default", "", "", "Browser/1")
		if code != 200 || !strings.Contains(page, `type="checkbox" name="purpose" value="newsletter"`) || strings.Contains(page, "checked>") ||
			strings.Contains(page, "security-notices") {
			t.Fatalf("subscribe page %d:\n%s", code, page)
		}
		version := formVersionRE.FindStringSubmatch(page)[1]
		form := url.Values{"email": {"Zoe@Example.org"}, "shown": {"newsletter", "product-updates", "surveys", "partner-offers"},
			"purpose": {"newsletter", "surveys"}, "form_id": {signup.FormID}, "form_version": {version}, "list": {"weekly"}}
		code, body := e.postForm(t, "/subscribe/default", form, "SubscribeUA/1.0")
		if code != 200 || !strings.Contains(body, "check your inbox") && !strings.Contains(body, "Please check your inbox") {
			t.Fatalf("subscribe: %d %s", code, body)
		}
		link := e.mail.link(t, "Zoe@Example.org")
		if !strings.HasPrefix(link, e.ts.URL+"/confirm?token=") {
			t.Fatalf("link %q", link)
		}
		c, err := st.ContactByEmail(ctx, ws, "zoe@example.org")
		if err != nil {
			t.Fatal(err)
		}
		pending, _ := st.ConsentState(ctx, ws, c.ID, "newsletter", consent.Email)
		if pending.State != consent.StateGranted || pending.Entry.Basis != consent.BasisDoubleOptIn {
			t.Fatalf("before confirmation: %+v", pending)
		}

		// Opening the link (as a link scanner would) confirms nothing.
		code, page = e.do(t, "GET", strings.TrimPrefix(link, e.ts.URL), "", "", "Scanner/1")
		if code != 200 || !strings.Contains(page, "Confirm my subscription") || !strings.Contains(page, `method="post"`) {
			t.Fatalf("confirm page %d:\n%s", code, page)
		}
		if s, _ := st.ConsentState(ctx, ws, c.ID, "newsletter", consent.Email); s.State != consent.StateGranted {
			t.Fatalf("GET confirmed the sign-up: %v", s.State)
		}
		tok := tokenOf(t, link)
		code, body = e.postForm(t, "/confirm", url.Values{"token": {tok}}, "ConfirmUA/2.0")
		if code != 200 || !strings.Contains(body, "confirmed") {
			t.Fatalf("confirm: %d %s", code, body)
		}

		entries, err := st.ConsentsForContact(ctx, ws, c.ID)
		if err != nil || len(entries) != 4 {
			t.Fatalf("ledger: %d entries, %v", len(entries), err)
		}
		for _, en := range entries[:2] {
			if en.Action != consent.Granted || en.Evidence.UserAgent != "SubscribeUA/1.0" || en.Evidence.IP != "127.0.0.1" ||
				!strings.HasPrefix(en.Evidence.Wording, "Yes, e-mail me") || en.Evidence.FormVersion != version {
				t.Fatalf("granted entry: %+v", en)
			}
		}
		for _, en := range entries[2:] {
			var req struct { // the request step, as the confirmed entry's document reference keeps it
				RequestedAt time.Time `json:"requested_at"`
				RequestIP   string    `json:"request_ip"`
				RequestUA   string    `json:"request_user_agent"`
			}
			if err := json.Unmarshal([]byte(en.Evidence.DocumentRef), &req); err != nil {
				t.Fatalf("document ref %q: %v", en.Evidence.DocumentRef, err)
			}
			if en.Action != consent.Confirmed || en.Basis != consent.BasisDoubleOptIn || en.Evidence.UserAgent != "ConfirmUA/2.0" ||
				en.Evidence.IP != "127.0.0.1" || en.Evidence.Timestamp.IsZero() || req.RequestUA != "SubscribeUA/1.0" ||
				req.RequestIP != "127.0.0.1" || req.RequestedAt.IsZero() || req.RequestedAt.After(en.Evidence.Timestamp) {
				t.Fatalf("confirmed entry: %+v (request step %+v)", en, req)
			}
		}
		if lists, _ := st.ContactLists(ctx, ws, c.ID); len(lists) != 1 || lists[0] != list.ID {
			t.Fatalf("lists after confirmation: %v", lists)
		}

		// Replay: the link is single-use.
		before, beforeSignups := e.recorded(t)
		code, body = e.postForm(t, "/confirm", url.Values{"token": {tok}}, "ConfirmUA/2.0")
		if code != 400 || !strings.Contains(body, "this confirmation link is invalid or has expired; sign up again") {
			t.Fatalf("replay: %d %s", code, body)
		}
		if code, _ := e.do(t, "GET", "/confirm?token="+url.QueryEscape(tok), "", "", "x"); code != 400 {
			t.Fatalf("replayed link page: %d", code)
		}
		// Forged: one character changed, or made up.
		forged := []byte(tok)
		forged[40] = map[bool]byte{true: 'B', false: 'A'}[forged[40] == 'A']
		for _, bad := range []string{string(forged), "", "abc", strings.Repeat("A", 107)} {
			if code, body := e.postForm(t, "/confirm", url.Values{"token": {bad}}, "x"); code != 400 || !strings.Contains(body, "invalid or has expired") {
				t.Fatalf("forged token %q: %d %s", bad, code, body)
			}
		}
		if n, s := e.recorded(t); n != before || s != beforeSignups {
			t.Fatalf("bad links recorded something: %d→%d entries, %d→%d sign-ups", before, n, beforeSignups, s)
		}

		// Welcome listing: confirmed, not yet welcomed, older than 30 days.
		now := time.Now().UTC()
		if l, _ := e.a.Signups.Stale(ctx, ws, 30*24*time.Hour, now); len(l) != 0 {
			t.Fatalf("fresh sign-up listed as stale: %v", l)
		}
		stale, err := e.a.Signups.Stale(ctx, ws, 30*24*time.Hour, now.Add(31*24*time.Hour))
		if err != nil || len(stale) != 1 || stale[0].ContactID != c.ID || stale[0].Email != c.Email {
			t.Fatalf("stale = %v, %v", stale, err)
		}
		if err := e.a.Signups.Welcomed(ctx, ws, stale[0].ID, now); err != nil {
			t.Fatal(err)
		}
		if l, _ := e.a.Signups.Stale(ctx, ws, 30*24*time.Hour, now.Add(31*24*time.Hour)); len(l) != 0 {
			t.Fatalf("welcomed sign-up still stale: %v", l)
		}
		verifyChain(t, st, ws)
	})
}

// verifyChain walks the workspace's ledger as `clearlist consent verify` does.
func verifyChain(t *testing.T, st *store.Store, ws int64) {
	t.Helper()
	var v consent.Verifier
	err := st.EachConsent(context.Background(), ws, func(e consent.Entry) error {
		if br := v.Add(e); br != nil {
			return br
		}
		return nil
	})
	if err != nil {
		t.Fatalf("consent verify: %v", err)
	}
}

// TestDoubleOptInRefusals: every bad sign-up or link is refused with a clear answer and
// records nothing, and sends no mail.
func TestDoubleOptInRefusals(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := newDOIEnv(t, dsn, 1000)
		st := e.a.st
		entries, signups := e.recorded(t)
		for _, tc := range []struct {
			name string
			mod  func(b map[string]any)
			want string
		}{
			{"pre-checked box", func(b map[string]any) { b["prechecked"] = []string{"newsletter"} }, "pre-checked boxes are not consent"},
			{"pre-checked not declared", func(b map[string]any) { delete(b, "prechecked") }, "prechecked: []"},
			{"ticked not shown", func(b map[string]any) { b["purposes_ticked"] = []string{"partner-offers"} }, "ticked but its box was not shown"},
			{"unknown purpose", func(b map[string]any) { b["purposes_shown"] = []string{"newsletter", "lottery"} }, `unknown purpose \"lottery\"`},
			{"CRLF e-mail", func(b map[string]any) { b["email"] = "eve@example.com\r\nBcc: all@example.com" }, "body.email"},
			{"overlong e-mail", func(b map[string]any) { b["email"] = strings.Repeat("x", 300) + "@example.com" }, "body.email"},
			{"no wording", func(b map[string]any) { delete(b, "wording") }, "wording"},
			{"unknown field", func(b map[string]any) { b["checked_by_default"] = true }, "unknown field"},
		} {
			b := jsonSignup("eve@example.com", "newsletter")
			tc.mod(b)
			code, body := e.postJSON(t, "default", b)
			if code != 422 || !strings.Contains(body, tc.want) {
				t.Errorf("%s: %d %s (want 422 with %q)", tc.name, code, body, tc.want)
			}
		}
		// The HTML form: a posted "prechecked" field, a ticked box not shown, a stale form.
		_, page := e.do(t, "GET", "/subscribe/default", "", "", "b")
		version := formVersionRE.FindStringSubmatch(page)[1]
		base := func() url.Values {
			return url.Values{"email": {"eve@example.com"}, "shown": {"newsletter"}, "purpose": {"newsletter"},
				"form_id": {signup.FormID}, "form_version": {version}}
		}
		for name, mod := range map[string]func(v url.Values){
			"prechecked":       func(v url.Values) { v.Set("prechecked", "newsletter") },
			"ticked not shown": func(v url.Values) { v.Add("purpose", "surveys") },
			"stale form":       func(v url.Values) { v.Set("form_version", "0000") },
			"bad e-mail":       func(v url.Values) { v.Set("email", "eve@@example.com") },
		} {
			v := base()
			mod(v)
			if code, body := e.postForm(t, "/subscribe/default", v, "b"); code != 422 || !strings.Contains(body, `role="alert"`) {
				t.Errorf("form %s: %d %s", name, code, body)
			}
		}
		if code, _ := e.postJSON(t, "no-such-workspace", jsonSignup("eve@example.com", "newsletter")); code != 404 {
			t.Errorf("unknown workspace: %d", code)
		}
		// A cross-site browser post is refused before it is read.
		req, _ := http.NewRequest("POST", e.ts.URL+"/subscribe/default", strings.NewReader(base().Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if res, err := e.ts.Client().Do(req); err != nil || res.StatusCode != 403 {
			t.Errorf("cross-site post: %v %v", res.StatusCode, err)
		}
		if n, s := e.recorded(t); n != entries || s != signups || e.mail.count("eve@example.com") != 0 {
			t.Fatalf("refused sign-ups recorded something: entries %d→%d, sign-ups %d→%d, mails %d", entries, n, signups, s, e.mail.count("eve@example.com"))
		}

		// Known and new addresses get the same answer.
		c1, b1 := e.postJSON(t, "default", jsonSignup("new@example.com", "newsletter"))
		c2, b2 := e.postJSON(t, "default", jsonSignup("new@example.com", "newsletter"))
		if c1 != 202 || c1 != c2 || b1 != b2 {
			t.Fatalf("new vs known address: %d %s / %d %s", c1, b1, c2, b2)
		}

		// Another workspace's link, re-addressed to this workspace, is refused.
		other, err := st.EnsureWorkspace(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		publicList(t, st, other.ID, "news")
		if code, body := e.postJSON(t, "other", jsonSignup("olga@example.com", "newsletter")); code != 202 {
			t.Fatalf("other workspace sign-up: %d %s", code, body)
		}
		otherTok := tokenOf(t, e.mail.link(t, "olga@example.com"))
		parsed, err := signup.Decode(otherTok)
		if err != nil || parsed.Workspace != other.ID {
			t.Fatalf("decode: %+v %v", parsed, err)
		}
		otherKey, _ := st.ExistingSigningKey(ctx, other.ID, signup.KeyName)
		moved := signup.Token{Workspace: e.a.Workspace.ID, Signup: parsed.Signup, Secret: parsed.Secret}.Encode(otherKey)
		before, beforeSignups := e.recorded(t)
		if code, body := e.postForm(t, "/confirm", url.Values{"token": {moved}}, "x"); code != 400 || !strings.Contains(body, "invalid or has expired") {
			t.Fatalf("token moved to another workspace: %d %s", code, body)
		}

		// Expired: a link past its expiry works neither to open nor to confirm, and the
		// expiry job closes the sign-up with an expired entry.
		tok := tokenOf(t, e.mail.link(t, "new@example.com"))
		parsed, _ = signup.Decode(tok)
		q := `UPDATE signups SET expires_at = requested_at WHERE id = ?`
		if st.Dialect() == store.Postgres {
			q = strings.Replace(q, "?", "$1", 1)
		}
		if _, err := st.DB().Exec(q, parsed.Signup); err != nil {
			t.Fatal(err)
		}
		if code, _ := e.do(t, "GET", "/confirm?token="+url.QueryEscape(tok), "", "", "x"); code != 400 {
			t.Fatalf("expired link page: %d", code)
		}
		if code, _ := e.postForm(t, "/confirm", url.Values{"token": {tok}}, "x"); code != 400 {
			t.Fatalf("expired link confirmed: %d", code)
		}
		if n, s := e.recorded(t); n != before || s != beforeSignups {
			t.Fatalf("refused links recorded something: %d→%d entries", before, n)
		}
		n, err := e.a.Signups.Expire(ctx, e.a.Workspace.ID, signup.DefaultWindow, time.Now().UTC())
		if err != nil || n != 1 {
			t.Fatalf("Expire = %d, %v", n, err)
		}
		c, _ := st.ContactByEmail(ctx, e.a.Workspace.ID, "new@example.com")
		if s, _ := st.ConsentState(ctx, e.a.Workspace.ID, c.ID, "newsletter", consent.Email); s.State != consent.StateExpired ||
			s.Entry.Actor != "system:doi-expiry" {
			t.Fatalf("after expiry: %+v", s)
		}
		// The other, still valid sign-up of the same address expires after 7 days too.
		n, err = e.a.Signups.ExpireAll(ctx, signup.DefaultWindow, time.Now().UTC().Add(8*24*time.Hour))
		if err != nil || n != 1 { // olga's (the repeated "new@" sign-up wrote no second one)
			t.Fatalf("ExpireAll = %d, %v", n, err)
		}
		if err := e.doi.Confirm(ctx, tok, signup.Step{}); !errors.Is(err, signup.ErrLinkInvalid) {
			t.Fatalf("expired sign-up confirmed: %v", err)
		}
		verifyChain(t, st, e.a.Workspace.ID)
		verifyChain(t, st, other.ID)
	})
}

// TestPublicRateLimit: a client IP gets the configured number of public posts a minute.
func TestPublicRateLimit(t *testing.T) {
	e := newDOIEnv(t, storetest.SQLiteDSN(t), 2)
	var codes []int
	for range 3 {
		code, _ := e.postJSON(t, "default", jsonSignup("r@example.com", "newsletter"))
		codes = append(codes, code)
	}
	if codes[0] != 202 || codes[1] != 202 || codes[2] != 429 {
		t.Fatalf("codes = %v, want 202 202 429", codes)
	}
}
