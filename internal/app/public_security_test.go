package app

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/web"
)

// clock is a settable time for the sign-up service, so that the per-address limits can be
// passed without waiting.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// newPublicEnv is a real server with the public sign-up and stop pages (the app behind
// them), a real SMTP relay, a public list "signups" and a settable clock.
func newPublicEnv(t *testing.T, dsn string, tweak ...func(*web.Config)) (*doiEnv, *clock) {
	t.Helper()
	a := openApp(t, dsn)
	mail, addr := startMailbox(t)
	doi := a.NewDOI("", &deliver.SMTP{Addr: addr, TLS: deliver.TLSNone, Timeout: 5 * time.Second})
	clk := &clock{t: time.Now().UTC()}
	doi.Now = clk.now
	cfg := web.Config{DOI: doi, Contacts: a.Contacts, Suppressions: a.Suppressions, PublicRate: 1000, Logger: a.Log, DataDir: t.TempDir(), Tokens: a.Tokens, Audit: a.Audit, Consents: a.Consents}
	for _, f := range tweak {
		f(&cfg)
	}
	ts := httptest.NewServer(web.New(cfg, nil).Handler())
	t.Cleanup(ts.Close)
	doi.PublicURL = ts.URL
	publicList(t, a.st, a.Workspace.ID, "signups")
	return &doiEnv{a: a, doi: doi, ts: ts, mail: mail}, clk
}

// suppressions returns the workspace's active entries of a kind.
func suppressions(t *testing.T, st *store.Store, ws int64, kind string) []store.Suppression {
	t.Helper()
	es, err := st.Suppressions(context.Background(), ws, store.SuppressionFilter{Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestPublicStopOnlyOwnIdentifier (finding 1): the public stop form takes an e-mail address
// or a phone number, never a domain; a domain entry comes only from an authenticated user.
func TestPublicStopOnlyOwnIdentifier(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e, _ := newPublicEnv(t, dsn)
		ws := e.a.Workspace.ID
		for _, v := range []string{"gmail.com", "co.uk", "example.net.", "GMAIL.COM", " gmail.com ", "xn--bcher-kva.example", "@gmail.com"} {
			code, body := e.postForm(t, "/stop/default", url.Values{"value": {v}}, "ua")
			if code != 422 || !strings.Contains(body, "could not read") {
				t.Errorf("stop %q: %d %s", v, code, body)
			}
		}
		if es := suppressions(t, e.a.st, ws, "domain"); len(es) != 0 {
			t.Fatalf("the public form created domain entries: %+v", es)
		}
		ans, err := e.a.Suppressions.CheckSuppressed(ctx, ws, "", "anyone@gmail.com", "email", "")
		if err != nil || !ans.Contactable {
			t.Fatalf("gmail.com addresses blocked after public posts: %+v %v", ans, err)
		}
		// The person's own address and number are taken.
		for _, v := range []string{"me@gmail.com", "+44 20 7946 0958"} {
			if code, body := e.postForm(t, "/stop/default", url.Values{"value": {v}}, "ua"); code != 200 || !strings.Contains(body, "takes effect now") {
				t.Fatalf("stop %q: %d %s", v, code, body)
			}
		}
		if ans, _ := e.a.Suppressions.CheckSuppressed(ctx, ws, "", "me@gmail.com", "email", ""); ans.Contactable {
			t.Fatal("own address not stopped")
		}
		if ans, _ := e.a.Suppressions.CheckSuppressed(ctx, ws, "", "other@gmail.com", "email", ""); !ans.Contactable {
			t.Fatal("stopping one address blocked its domain")
		}
		// An authenticated user can still record a domain.
		if _, _, err := e.a.Suppressions.Suppress(ctx, ws, []suppress.Intake{{Kind: "domain", Value: "spam.example", Reason: "manual", By: "admin"}}); err != nil {
			t.Fatal(err)
		}
		if es := suppressions(t, e.a.st, ws, "domain"); len(es) != 1 {
			t.Fatalf("authenticated domain entry: %+v", es)
		}
	})
}

// TestRepeatedSignupKeepsConsent (finding 2): a repeated public sign-up of a confirmed
// address appends no granted entry: the consent stays confirmed and the person mailable.
func TestRepeatedSignupKeepsConsent(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e, clk := newPublicEnv(t, dsn)
		st, ws := e.a.st, e.a.Workspace.ID
		if code, body := e.postJSON(t, "default", jsonSignup("kept@example.com", "newsletter")); code != 202 {
			t.Fatalf("sign-up: %d %s", code, body)
		}
		if code, body := e.postForm(t, "/confirm", url.Values{"token": {tokenOf(t, e.mail.link(t, "kept@example.com"))}}, "ua"); code != 200 {
			t.Fatalf("confirm: %d %s", code, body)
		}
		c, err := st.ContactByEmail(ctx, ws, "kept@example.com")
		if err != nil {
			t.Fatal(err)
		}
		entries, signups := e.recorded(t)
		for i := range 3 {
			clk.add(25 * time.Hour) // past every per-address limit
			code, body := e.postJSON(t, "default", jsonSignup("Kept@Example.com", "newsletter"))
			if code != 202 || !strings.Contains(body, "pending") {
				t.Fatalf("repeat %d: %d %s", i, code, body)
			}
			s, err := st.ConsentState(ctx, ws, c.ID, "newsletter", consent.Email)
			if err != nil || s.State != consent.StateConfirmed {
				t.Fatalf("repeat %d weakened the consent: %+v %v", i, s, err)
			}
		}
		if n, s := e.recorded(t); n != entries || s != signups {
			t.Fatalf("repeats of a confirmed sign-up recorded %d entries, %d sign-ups", n-entries, s-signups)
		}
		if got := e.mail.count("Kept@Example.com") + e.mail.count("kept@example.com"); got != 1 {
			t.Fatalf("%d mails for nothing to confirm", got)
		}
		// A new purpose is asked for: it gets its own granted entry, the confirmed one stays.
		clk.add(time.Hour)
		if code, _ := e.postJSON(t, "default", jsonSignup("kept@example.com", "newsletter", "surveys")); code != 202 {
			t.Fatal(code)
		}
		if s, _ := st.ConsentState(ctx, ws, c.ID, "newsletter", consent.Email); s.State != consent.StateConfirmed {
			t.Fatalf("newsletter after asking for surveys too: %s", s.State)
		}
		if s, _ := st.ConsentState(ctx, ws, c.ID, "surveys", consent.Email); s.State != consent.StateGranted {
			t.Fatalf("surveys: %s", s.State)
		}
		verifyChain(t, st, ws)
	})
}

// TestSignupScreenedAndLimited (finding 3): an address on the do-not-contact list (its own
// entry or its domain's) is sent nothing and the answer is the same; one address gets at
// most one mail per 15 minutes and 3 a day, whoever asks; repeats write no new rows.
func TestSignupScreenedAndLimited(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e, clk := newPublicEnv(t, dsn)
		st, ws := e.a.st, e.a.Workspace.ID
		_, okBody := e.postJSON(t, "default", jsonSignup("fresh@example.com", "newsletter"))
		if _, _, err := e.a.Suppressions.Suppress(ctx, ws, []suppress.Intake{
			{Value: "stopped@example.com", Reason: "request-web", By: "t"},
			{Kind: "domain", Value: "blocked.example", Reason: "manual", By: "t"},
			{Value: "nolletter@example.com", Scope: "purpose:newsletter", Reason: "unsubscribe", By: "t"},
		}); err != nil {
			t.Fatal(err)
		}
		entries, signups := e.recorded(t)
		for _, addr := range []string{"stopped@example.com", "Stopped@Example.COM", "anyone@blocked.example", "nolletter@example.com"} {
			code, body := e.postJSON(t, "default", jsonSignup(addr, "newsletter"))
			if code != 202 || body != okBody {
				t.Fatalf("suppressed %s: %d %s (want the same answer as for a fresh address)", addr, code, body)
			}
			if n := e.mail.count(addr); n != 0 {
				t.Fatalf("%d mails to suppressed %s", n, addr)
			}
		}
		if n, s := e.recorded(t); n != entries || s != signups {
			t.Fatalf("suppressed sign-ups recorded %d entries, %d sign-ups", n-entries, s-signups)
		}
		if _, err := st.ContactByEmail(ctx, ws, "stopped@example.com"); err == nil {
			t.Fatal("a contact was created for a suppressed address")
		}

		// Flood: 30 posts at once give one mail and one sign-up.
		entries, signups = e.recorded(t)
		for range 30 {
			if code, body := e.postJSON(t, "default", jsonSignup("flood@example.com", "newsletter")); code != 202 || body != okBody {
				t.Fatalf("flood: %d %s", code, body)
			}
		}
		if n := e.mail.count("flood@example.com"); n != 1 {
			t.Fatalf("flood: %d mails", n)
		}
		if n, s := e.recorded(t); n != entries+1 || s != signups+1 {
			t.Fatalf("flood recorded %d entries, %d sign-ups (want 1, 1)", n-entries, s-signups)
		}
		first := e.mail.link(t, "flood@example.com")
		// After 15 minutes the same request renews the open sign-up's link: a mail, no rows.
		clk.add(16 * time.Minute)
		e.postJSON(t, "default", jsonSignup("flood@example.com", "newsletter"))
		if n := e.mail.count("flood@example.com"); n != 2 {
			t.Fatalf("after 16 minutes: %d mails", n)
		}
		if n, s := e.recorded(t); n != entries+1 || s != signups+1 {
			t.Fatalf("a repeat wrote rows: %d entries, %d sign-ups", n-entries, s-signups)
		}
		if code, _ := e.postForm(t, "/confirm", url.Values{"token": {tokenOf(t, first)}}, "ua"); code != 400 {
			t.Fatalf("the replaced link still works: %d", code)
		}
		clk.add(16 * time.Minute)
		e.postJSON(t, "default", jsonSignup("flood@example.com", "newsletter"))
		clk.add(16 * time.Minute)
		e.postJSON(t, "default", jsonSignup("flood@example.com", "newsletter"))
		if n := e.mail.count("flood@example.com"); n != 3 {
			t.Fatalf("3 a day: %d mails", n)
		}
		clk.add(16 * time.Minute)
		e.postJSON(t, "default", jsonSignup("flood@example.com", "newsletter"))
		if n := e.mail.count("flood@example.com"); n != 3 {
			t.Fatalf("a fourth on the same day: %d mails", n)
		}
		clk.add(24 * time.Hour)
		e.postJSON(t, "default", jsonSignup("flood@example.com", "newsletter"))
		if n := e.mail.count("flood@example.com"); n != 4 {
			t.Fatalf("a day after the first: %d mails", n)
		}
		if code, _ := e.postForm(t, "/confirm", url.Values{"token": {tokenOf(t, e.mail.link(t, "flood@example.com"))}}, "ua"); code != 200 {
			t.Fatalf("the newest link: %d", code)
		}
	})
}

// TestPublicSignupOnlyPublicLists (finding 9): a private list, an unknown list, a workspace
// without public lists and an unknown workspace answer alike, on the page and the API.
func TestPublicSignupOnlyPublicLists(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e, _ := newPublicEnv(t, dsn)
		st, ws := e.a.st, e.a.Workspace.ID
		secret, err := st.CreateList(ctx, contact.List{WorkspaceID: ws, Name: "secretlist"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.EnsureWorkspace(ctx, "closed"); err != nil {
			t.Fatal(err)
		}
		withList := func(l string) map[string]any { b := jsonSignup("x@example.com", "newsletter"); b["list"] = l; return b }
		entries, signups := e.recorded(t)
		refCode, refBody := e.postJSON(t, "nosuch", jsonSignup("x@example.com", "newsletter"))
		if refCode != 404 {
			t.Fatalf("unknown workspace: %d", refCode)
		}
		for name, got := range map[string][2]any{
			"private list":      pair(e.postJSON(t, "default", withList("secretlist"))),
			"unknown list":      pair(e.postJSON(t, "default", withList("nope"))),
			"no public lists":   pair(e.postJSON(t, "closed", jsonSignup("x@example.com", "newsletter"))),
			"closed, with list": pair(e.postJSON(t, "closed", withList("secretlist"))),
		} {
			if got[0] != refCode || got[1] != refBody {
				t.Errorf("%s: %v %v, unknown workspace: %d %s", name, got[0], got[1], refCode, refBody)
			}
		}
		refCode, refPage := e.do(t, "GET", "/subscribe/nosuch", "", "", "ua")
		for _, path := range []string{"/subscribe/closed", "/subscribe/default?list=secretlist", "/subscribe/default?list=nope"} {
			if code, page := e.do(t, "GET", path, "", "", "ua"); code != refCode || page != refPage {
				t.Errorf("GET %s: %d, unknown workspace %d", path, code, refCode)
			}
		}
		if n, s := e.recorded(t); n != entries || s != signups || e.mail.count("x@example.com") != 0 {
			t.Fatal("a refused sign-up recorded or sent something")
		}
		// Marked public, the list takes sign-ups.
		if _, err := st.SetListPublic(ctx, ws, secret.ID, true); err != nil {
			t.Fatal(err)
		}
		if code, body := e.postJSON(t, "default", withList("secretlist")); code != 202 {
			t.Fatalf("public list: %d %s", code, body)
		}
		if code, _ := e.do(t, "GET", "/subscribe/default?list=secretlist", "", "", "ua"); code != 200 {
			t.Fatalf("public list page: %d", code)
		}
	})
}

func pair(code int, body string) [2]any { return [2]any{code, body} }

// TestPublicFormActionsEscaped (finding 10): a workspace name in the path is one escaped
// path segment in the form's action.
func TestPublicFormActionsEscaped(t *testing.T) {
	e, _ := newPublicEnv(t, storetest.SQLiteDSN(t))
	code, page := e.do(t, "GET", "/stop/..%2Fsubscribe%2Fdefault", "", "", "ua")
	if code != 200 || strings.Contains(page, `action="/stop/../`) || !strings.Contains(page, `action="/stop/..%2fsubscribe%2fdefault"`) &&
		!strings.Contains(page, `action="/stop/..%2Fsubscribe%2Fdefault"`) {
		t.Fatalf("stop page %d:\n%s", code, page)
	}
}

// TestSignupCORSAndProxies (finding 11): the workspace's configured origins may post to the
// JSON sign-up from a browser, others and the HTML form stay protected; forwarding headers
// count only from trusted proxies, for the rate limit and the evidence.
func TestSignupCORSAndProxies(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e, _ := newPublicEnv(t, dsn, func(c *web.Config) {
			c.PublicRate = 2
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
		})
		if err := e.a.Workspaces.SetSetting(ctx, e.a.Workspace.ID, SettingCORSOrigins, "https://www.shop.example, http://localhost:3000"); err != nil {
			t.Fatal(err)
		}
		if err := e.a.Workspaces.SetSetting(ctx, e.a.Workspace.ID, SettingCORSOrigins, "https://*.example"); err == nil {
			t.Fatal("a wildcard origin was accepted")
		}
		send := func(method, path, origin, xff, ctype, body string) *http.Response {
			t.Helper()
			req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
			if origin != "" {
				req.Header.Set("Origin", origin)
				req.Header.Set("Sec-Fetch-Site", "cross-site")
			}
			if xff != "" {
				req.Header.Set("X-Forwarded-For", xff)
			}
			req.Header.Set("Content-Type", ctype)
			res, err := e.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		js := `{"email":"cors@example.com","purposes_shown":["newsletter"],"purposes_ticked":["newsletter"],"prechecked":[],"form_id":"f","form_version":"1","wording":"Yes"}`
		pre := send("OPTIONS", "/api/public/default/subscribe", "https://www.shop.example", "198.51.100.1", "", "")
		if pre.StatusCode != 204 || pre.Header.Get("Access-Control-Allow-Origin") != "https://www.shop.example" ||
			!strings.Contains(pre.Header.Get("Access-Control-Allow-Headers"), "Content-Type") {
			t.Fatalf("preflight: %d %v", pre.StatusCode, pre.Header)
		}
		if pre := send("OPTIONS", "/api/public/default/subscribe", "https://evil.example", "198.51.100.1", "", ""); pre.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("preflight of another origin allowed: %v", pre.Header)
		}
		if res := send("POST", "/api/public/default/subscribe", "https://www.shop.example", "198.51.100.1", "application/json", js); res.StatusCode != 202 ||
			res.Header.Get("Access-Control-Allow-Origin") != "https://www.shop.example" {
			t.Fatalf("allowed origin: %d %v", res.StatusCode, res.Header)
		}
		if res := send("POST", "/api/public/default/subscribe", "https://evil.example", "198.51.100.2", "application/json", js); res.StatusCode != 403 {
			t.Fatalf("other origin: %d", res.StatusCode)
		}
		form := url.Values{"email": {"cors@example.com"}, "purpose": {"newsletter"}, "shown": {"newsletter"}}.Encode()
		if res := send("POST", "/subscribe/default", "https://www.shop.example", "198.51.100.3", "application/x-www-form-urlencoded", form); res.StatusCode != 403 {
			t.Fatalf("HTML form from an allowed origin: %d (CSRF protection must stay)", res.StatusCode)
		}
		// Evidence: the forwarded client address, not the proxy's.
		c, err := e.a.st.ContactByEmail(ctx, e.a.Workspace.ID, "cors@example.com")
		if err != nil {
			t.Fatal(err)
		}
		s, _ := e.a.st.ConsentState(ctx, e.a.Workspace.ID, c.ID, "newsletter", consent.Email)
		if s.Entry == nil || s.Entry.Evidence.IP != "198.51.100.1" {
			t.Fatalf("evidence IP: %+v", s.Entry)
		}
		// Rate limit per forwarded client: 2 a minute each.
		other := func(xff string) int {
			return send("POST", "/api/public/default/subscribe", "", xff, "application/json", strings.Replace(js, "cors@", xff+"@", 1)).StatusCode
		}
		if a, b, c, d := other("203.0.113.7"), other("203.0.113.7"), other("203.0.113.7"), other("203.0.113.8"); a != 202 || b != 202 || c != 429 || d != 202 {
			t.Fatalf("per forwarded client: %d %d %d %d", a, b, c, d)
		}
	})
	// Without trusted proxies the header is ignored: every post is the peer's.
	e, _ := newPublicEnv(t, storetest.SQLiteDSN(t), func(c *web.Config) { c.PublicRate = 2 })
	codes := []int{}
	for _, xff := range []string{"203.0.113.1", "203.0.113.2", "203.0.113.3"} {
		req, _ := http.NewRequest("POST", e.ts.URL+"/api/public/default/subscribe", strings.NewReader(
			`{"email":"`+xff+`@example.com","purposes_shown":["newsletter"],"purposes_ticked":["newsletter"],"prechecked":[],"form_id":"f","form_version":"1","wording":"Yes"}`))
		req.Header.Set("X-Forwarded-For", xff)
		req.Header.Set("Forwarded", "for="+xff)
		res, err := e.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		codes = append(codes, res.StatusCode)
	}
	if codes[2] != 429 {
		t.Fatalf("forged X-Forwarded-For escaped the limit: %v", codes)
	}
	c, _ := e.a.st.ContactByEmail(context.Background(), e.a.Workspace.ID, "203.0.113.1@example.com")
	if s, _ := e.a.st.ConsentState(context.Background(), e.a.Workspace.ID, c.ID, "newsletter", consent.Email); s.Entry == nil || s.Entry.Evidence.IP != "127.0.0.1" {
		t.Fatalf("evidence took an untrusted header: %+v", s.Entry)
	}
}

// TestSignupRetryAfterMailFailure: a confirmation that could not be handed to the relay does
// not count against the address's allowance, and the retry reuses the sign-up.
func TestSignupRetryAfterMailFailure(t *testing.T) {
	e, _ := newPublicEnv(t, storetest.SQLiteDSN(t))
	working := e.doi.Sender
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	e.doi.Sender = &deliver.SMTP{Addr: closed, TLS: deliver.TLSNone, Timeout: 2 * time.Second}
	if code, body := e.postJSON(t, "default", jsonSignup("retry@example.com", "newsletter")); code != 503 {
		t.Fatalf("relay down: %d %s", code, body)
	}
	entries, signups := e.recorded(t)
	e.doi.Sender = working
	if code, body := e.postJSON(t, "default", jsonSignup("retry@example.com", "newsletter")); code != 202 {
		t.Fatalf("retry: %d %s", code, body)
	}
	if n := e.mail.count("retry@example.com"); n != 1 {
		t.Fatalf("retry at once after a failure: %d mails", n)
	}
	if n, s := e.recorded(t); n != entries || s != signups {
		t.Fatalf("the retry recorded the sign-up again: %d entries, %d sign-ups", n-entries, s-signups)
	}
}

// TestServeRefusesBadTrustedProxies: a --trusted-proxies value that is not addresses or
// ranges stops serve at once with what to fix.
func TestServeRefusesBadTrustedProxies(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.TrustedProxies = "10.0.0.0/8,proxy.example"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = a.ServeListener(context.Background(), ln)
	if err == nil || !strings.Contains(err.Error(), "--trusted-proxies") || !strings.Contains(err.Error(), "proxy.example") {
		t.Fatalf("serve with a bad --trusted-proxies: %v", err)
	}
}
