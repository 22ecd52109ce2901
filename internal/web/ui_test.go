package web

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/user"
)

// uiEnv is a server with the user service and one account per role asked for.
type uiEnv struct {
	*testEnv
	users *user.Service
}

func newUIEnv(t *testing.T, st *store.Store, tweak ...func(*Config)) *uiEnv {
	users := user.New(st, user.Options{Params: user.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	e := newEnv(t, st, append([]func(*Config){func(c *Config) { c.Users = users }}, tweak...)...)
	return &uiEnv{testEnv: e, users: users}
}

func (e *uiEnv) addUser(email, role string) {
	e.t.Helper()
	ctx := audit.WithActor(e.t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	if _, err := e.users.Add(ctx, email, "", "a long enough passphrase", e.ws, role); err != nil {
		e.t.Fatal(err)
	}
}

// do sends a request without following redirects; cookie is the session id ("" for none).
func (e *uiEnv) do(method, path, cookie string, form url.Values, hdr map[string]string) *http.Response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, e.http.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if cookie != "" {
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// login signs in and returns the new session id.
func (e *uiEnv) login(email, previous string) string {
	e.t.Helper()
	resp := e.do("POST", "/login", previous, url.Values{"email": {email}, "password": {"a long enough passphrase"}},
		map[string]string{"Sec-Fetch-Site": "same-origin"})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/" {
		b, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("login %s: %d %s", email, resp.StatusCode, b)
	}
	for _, c := range resp.Cookies() {
		if c.Name == sessionCookie {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Secure || c.Path != "/" {
				e.t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/ (not Secure over http)", c)
			}
			return c.Value
		}
	}
	e.t.Fatal("no session cookie")
	return ""
}

func bodyOf(t *testing.T, r *http.Response) string {
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestUILoginLogout on both engines: / leads to the login page; a login replaces the session id
// the browser had (a planted one is worthless: no fixation); the dashboard names the user,
// role and workspace and cannot be framed; logout needs the form token and a same-site
// request, and ends the session; a disabled user is refused.
func TestUILoginLogout(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newUIEnv(t, st)
		e.addUser("ann@example.com", "owner")
		if r := e.do("GET", "/", "", nil, nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/ui/" {
			t.Fatalf("GET /: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if r := e.do("GET", "/ui/", "", nil, nil); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
			t.Fatalf("GET /ui/ without a session: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		page := e.do("GET", "/login", "", nil, nil)
		if b := bodyOf(t, page); page.StatusCode != 200 || !strings.Contains(b, `name="password"`) ||
			page.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(page.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Fatalf("login page: %d %v", page.StatusCode, page.Header)
		}
		// A login from another site is refused (login CSRF).
		cross := e.do("POST", "/login", "", url.Values{"email": {"ann@example.com"}, "password": {"a long enough passphrase"}},
			map[string]string{"Sec-Fetch-Site": "cross-site"})
		if cross.StatusCode != http.StatusForbidden || len(cross.Cookies()) != 0 {
			t.Fatalf("cross-site login: %d %v", cross.StatusCode, cross.Cookies())
		}
		planted := "planted-by-an-attacker-0123456789abcdefghijklmn"
		id := e.login("ann@example.com", planted)
		if id == planted || len(id) < 43 {
			t.Fatalf("session id %q after login with %q", id, planted)
		}
		if r := e.do("GET", "/ui/", planted, nil, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the planted id works: %d", r.StatusCode)
		}
		dash := e.do("GET", "/ui/", id, nil, nil)
		b := bodyOf(t, dash)
		if dash.StatusCode != 200 || !strings.Contains(b, "Signed in as <strong>ann@example.com</strong>, role <strong>owner</strong>, workspace <strong>default</strong>") ||
			dash.Header.Get("X-Frame-Options") != "DENY" {
			t.Fatalf("dashboard: %d\n%s", dash.StatusCode, b)
		}
		if r := e.do("GET", "/login", id, nil, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("login page when signed in: %d", r.StatusCode)
		}
		csrf := user.CSRFToken(id)
		if r := e.do("POST", "/logout", id, url.Values{"csrf": {csrf}}, map[string]string{"Sec-Fetch-Site": "cross-site"}); r.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-site logout: %d", r.StatusCode)
		}
		if r := e.do("POST", "/logout", id, url.Values{"csrf": {"wrong"}}, nil); r.StatusCode != http.StatusForbidden {
			t.Fatalf("logout without the form token: %d", r.StatusCode)
		}
		if r := e.do("POST", "/logout", id, url.Values{"csrf": {csrf}}, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout: %d", r.StatusCode)
		}
		if r := e.do("GET", "/ui/", id, nil, nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("the session outlived logout: %d", r.StatusCode)
		}
		// Wrong password and disabled account.
		bad := e.do("POST", "/login", "", url.Values{"email": {"ann@example.com"}, "password": {"nope nope nope"}}, nil)
		if b := bodyOf(t, bad); bad.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "wrong e-mail, password or code") {
			t.Fatalf("wrong password: %d %s", bad.StatusCode, b)
		}
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		if err := e.users.SetDisabled(ctx, "ann@example.com", true); err != nil {
			t.Fatal(err)
		}
		dis := e.do("POST", "/login", "", url.Values{"email": {"ann@example.com"}, "password": {"a long enough passphrase"}}, nil)
		if b := bodyOf(t, dis); dis.StatusCode != http.StatusUnauthorized || !strings.Contains(b, "disabled") {
			t.Fatalf("disabled user: %d %s", dis.StatusCode, b)
		}
		es, _ := st.AuditEntries(t.Context(), store.InstanceWorkspace, audit.Filter{Entity: "user"})
		var actions []string
		for _, en := range es {
			actions = append(actions, en.Action+"/"+string(en.Actor.Kind))
		}
		got := strings.Join(actions, " ")
		for _, want := range []string{"user.login/user", "user.logout/user", "user.login_failed/public"} {
			if !strings.Contains(got, want) {
				t.Errorf("audit trail %s lacks %s", got, want)
			}
		}
	})
}

// TestUISessionAPIRoles: a signed-in browser calls /api/v1 with its role through the one route
// table: read-only reads what staff read but cannot POST nor read the audit trail; a marketer
// may POST with the session's X-CSRF-Token (not without, not from another site); the write is
// audited as the user.
func TestUISessionAPIRoles(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newUIEnv(t, st)
	e.addUser("ro@example.com", "read-only")
	e.addUser("mk@example.com", "marketer")
	ro, mk := e.login("ro@example.com", ""), e.login("mk@example.com", "")
	post := func(id string, hdr map[string]string) int {
		req := map[string]string{"Content-Type": "application/json"}
		for k, v := range hdr {
			req[k] = v
		}
		r := e.doJSON("POST", "/api/v1/lists", id, `{"name":"news"}`, req)
		return r.StatusCode
	}
	if r := e.do("GET", "/api/v1/lists", ro, nil, nil); r.StatusCode != 200 {
		t.Fatalf("read-only GET lists: %d", r.StatusCode)
	}
	if r := e.do("GET", "/api/v1/audit", ro, nil, nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("read-only GET audit: %d", r.StatusCode)
	}
	if c := post(ro, map[string]string{"X-CSRF-Token": user.CSRFToken(ro)}); c != http.StatusForbidden {
		t.Fatalf("read-only POST: %d", c)
	}
	if c := post(mk, nil); c != http.StatusForbidden {
		t.Fatalf("marketer POST without the CSRF token: %d", c)
	}
	if c := post(mk, map[string]string{"X-CSRF-Token": user.CSRFToken(mk), "Sec-Fetch-Site": "cross-site"}); c != http.StatusForbidden {
		t.Fatalf("marketer POST from another site: %d", c)
	}
	if c := post(mk, map[string]string{"X-CSRF-Token": user.CSRFToken(mk)}); c != http.StatusCreated && c != http.StatusOK {
		t.Fatalf("marketer POST: %d", c)
	}
	if r := e.do("GET", "/api/v1/lists", "", nil, nil); r.StatusCode != http.StatusUnauthorized {
		t.Fatalf("no session, no token: %d", r.StatusCode)
	}
	es, _ := st.AuditEntries(t.Context(), e.ws, audit.Filter{Entity: "list"})
	if len(es) != 1 || es[0].Actor.Kind != audit.User || es[0].Actor.Name != "mk@example.com" || es[0].Actor.Role != "marketer" {
		t.Fatalf("list.create audited as %+v", es)
	}
}

// TestUIHTTPSCookie: behind HTTPS (the public URL says so) the cookie is __Host- and Secure.
func TestUIHTTPSCookie(t *testing.T) {
	e := newUIEnv(t, storetest.OpenSQLite(t), func(c *Config) { c.PublicURL = "https://lists.example.com" })
	e.addUser("ann@example.com", "admin")
	r := e.do("POST", "/login", "", url.Values{"email": {"ann@example.com"}, "password": {"a long enough passphrase"}}, nil)
	cs := r.Cookies()
	if r.StatusCode != http.StatusSeeOther || len(cs) != 1 || cs[0].Name != "__Host-clearlist_session" || !cs[0].Secure || !cs[0].HttpOnly {
		t.Fatalf("https login: %d %+v", r.StatusCode, cs)
	}
}

func (e *uiEnv) doJSON(method, path, cookie, body string, hdr map[string]string) *http.Response {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.http.URL+path, strings.NewReader(body))
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: cookie})
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// TestUILoginEscapes: what a visitor types comes back on the login page as text, never markup.
func TestUILoginEscapes(t *testing.T) {
	e := newUIEnv(t, storetest.OpenSQLite(t))
	r := e.do("POST", "/login", "", url.Values{"email": {`"><script>alert(1)</script>`}, "password": {"x"}}, nil)
	b := bodyOf(t, r)
	if r.StatusCode != http.StatusUnauthorized || strings.Contains(b, "<script>alert") || !strings.Contains(b, "&lt;script&gt;") {
		t.Fatalf("login echo: %d\n%s", r.StatusCode, b)
	}
}
