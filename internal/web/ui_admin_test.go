package web

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/user"
	"github.com/clearlist/clearlist/internal/webhook"
	wss "github.com/clearlist/clearlist/internal/workspace"
)

// adminEnv is a UI server with the settings, people and account services and one user per role.
type adminEnv struct {
	*uiEnv
	tokens *access.Service
}

func newAdminEnv(t *testing.T, st *store.Store) *adminEnv {
	t.Helper()
	tokens := access.New(st)
	e := newUIEnv(t, st, func(c *Config) {
		c.Workspaces = wss.New(st)
		c.DKIM = campaign.NewDKIMKeys(st)
		c.TokenAdmin = tokens
		c.Webhooks = webhook.NewService(st, nil, nil)
		c.Accounts = c.Users.(*user.Service)
	})
	for _, r := range access.UserRoles {
		e.addUser(r+"@example.com", r)
	}
	return &adminEnv{uiEnv: e, tokens: tokens}
}

// post sends a form as the session, with its form token.
func (e *adminEnv) post(path, session string, form url.Values) (int, string) {
	e.t.Helper()
	form.Set("csrf", user.CSRFToken(session))
	r := e.do("POST", path, session, form, nil)
	return r.StatusCode, bodyOf(e.t, r)
}

func (e *adminEnv) get(path, session string) (int, string) {
	e.t.Helper()
	r := e.do("GET", path, session, nil, nil)
	return r.StatusCode, bodyOf(e.t, r)
}

// TestUIAdminRoles on both engines: settings, tokens, webhooks, DKIM and users open to owners
// and admins only (page, menu and POST); purposes follow their API routes (agents may not
// read them, read-only may not declare one); assessments are for compliance.
func TestUIAdminRoles(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		pages := []string{"/ui/settings", "/ui/settings/dkim", "/ui/settings/tokens", "/ui/settings/webhooks", "/ui/settings/users"}
		for _, role := range access.UserRoles {
			id := e.login(role+"@example.com", "")
			admin := role == access.RoleOwner || role == access.RoleAdmin
			for _, p := range pages {
				code, b := e.get(p, id)
				if admin && code != 200 || !admin && (code != 403 || !strings.Contains(b, "ask an owner for another role")) {
					t.Errorf("%s opens %s: %d", role, p, code)
				}
			}
			_, dash := e.get("/ui/", id)
			if strings.Contains(dash, `href="/ui/settings"`) != admin {
				t.Errorf("%s: the menu's Settings entry is wrong", role)
			}
			if !strings.Contains(dash, `href="/ui/account"`) {
				t.Errorf("%s: no link to their own account", role)
			}
			code, _ := e.post("/ui/settings", id, url.Values{"group": {"sender"}, "sender.name": {"Mallory"}})
			if admin != (code == http.StatusSeeOther) || !admin && code != 403 {
				t.Errorf("%s posts settings: %d", role, code)
			}
			code, _ = e.post("/ui/settings/tokens", id, url.Values{"name": {"x-" + role}, "role": {"admin"}})
			if admin != (code == 200) || !admin && code != 403 {
				t.Errorf("%s makes a token: %d", role, code)
			}
			code, _ = e.post("/ui/settings/users", id, url.Values{"email": {"new-" + role + "@example.com"}, "role": {"marketer"},
				"password": {"a long enough passphrase"}})
			if admin != (code == http.StatusSeeOther) || !admin && code != 403 {
				t.Errorf("%s adds a user: %d", role, code)
			}
			// Purposes: GET /api/v1/purposes is staff's; POST too (read-only reads only).
			code, b := e.get("/ui/purposes", id)
			reads := role != access.RoleAgent
			if reads != (code == 200) {
				t.Errorf("%s opens purposes: %d", role, code)
			}
			declares := reads && role != access.RoleReadOnly
			if reads && strings.Contains(b, `id="add-purpose"`) != declares {
				t.Errorf("%s: the declare form shown wrongly", role)
			}
			code, _ = e.post("/ui/purposes", id, url.Values{"name": {"p-" + strings.ReplaceAll(role, "-", "")}, "description": {"d"}})
			if declares != (code == http.StatusSeeOther) {
				t.Errorf("%s declares a purpose: %d", role, code)
			}
			lia := admin || role == access.RoleCompliance
			if reads && strings.Contains(b, `id="lia-form"`) != lia {
				t.Errorf("%s: the assessment form shown wrongly", role)
			}
			code, _ = e.post("/ui/purposes/lia", id, url.Values{"purpose": {"newsletter"}, "purpose_text": {"a"}, "necessity": {"b"},
				"balancing": {"c"}, "approved_by": {"d"}})
			if lia != (code == http.StatusSeeOther) {
				t.Errorf("%s writes an assessment: %d", role, code)
			}
		}
		ts, _ := e.tokens.List(t.Context(), e.ws)
		var names []string
		for _, tk := range ts {
			names = append(names, tk.Name)
		}
		if got := strings.Join(names, ","); !strings.Contains(got, "x-owner") || !strings.Contains(got, "x-admin") || strings.Contains(got, "x-marketer") {
			t.Errorf("tokens made: %s", got)
		}
		if v, _, _ := st.Setting(t.Context(), e.ws, wss.SettingSenderName); v != "Mallory" {
			t.Errorf("sender.name = %q", v)
		}
		// No form token, or another site: refused, nothing changed.
		id := e.login("owner@example.com", "")
		for _, hdr := range []map[string]string{nil, {"Sec-Fetch-Site": "cross-site"}} {
			form := url.Values{"group": {"sender"}, "sender.name": {"Eve"}}
			if hdr != nil {
				form.Set("csrf", user.CSRFToken(id))
			}
			if r := e.do("POST", "/ui/settings", id, form, hdr); r.StatusCode != http.StatusForbidden {
				t.Errorf("settings without the form token or cross-site: %d", r.StatusCode)
			}
		}
		if v, _, _ := st.Setting(t.Context(), e.ws, wss.SettingSenderName); v != "Mallory" {
			t.Errorf("a refused form changed sender.name to %q", v)
		}
	})
}

// TestUISettingsPage on both engines: a group's form saves in one go, audited as the user;
// a wrong value is shown next to its field (aria-describedby), the typed values are kept and
// nothing of the group is saved; hostile values are escaped.
func TestUISettingsPage(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		id := e.login("admin@example.com", "")
		code, b := e.get("/ui/settings", id)
		mustContain(t, "settings page", b, `<nav class="subnav" aria-label="Settings">`, "Sender identity and postal address", "Thresholds and retention",
			"Tracking", `for="set-sender-postal_address"`, `name="campaign.max_bounce_rate"`, `<option value="true"`)
		if code != 200 || strings.Contains(b, `name="esp.mailgun.signing_key"`) || strings.Contains(b, `name="`+wss.SettingMaxBounceRate+`" value="0.05"`) {
			t.Fatalf("settings: %d (secret settings must not be in a form)", code)
		}
		code, _ = e.post("/ui/settings", id, url.Values{"group": {"sender"}, "sender.name": {xssName},
			"sender.postal_address": {"1 Main St\nSpringfield"}, "bounce.domain": {""}})
		if code != http.StatusSeeOther {
			t.Fatalf("save sender: %d", code)
		}
		if v, _, _ := st.Setting(t.Context(), e.ws, wss.SettingPostalAddress); v != "1 Main St, Springfield" {
			t.Fatalf("postal address stored as %q", v)
		}
		_, b = e.get("/ui/settings?saved=sender", id)
		if strings.Contains(b, xssName) || !strings.Contains(b, "&lt;script&gt;alert(1)&lt;/script&gt;") || !strings.Contains(b, "Saved.") {
			t.Fatalf("sender name not escaped or not saved:\n%s", b)
		}
		es, _ := st.AuditEntries(t.Context(), e.ws, audit.Filter{Entity: "setting"})
		if len(es) != 2 || es[0].Actor.Kind != audit.User || es[0].Actor.Name != "admin@example.com" {
			t.Fatalf("settings audit: %+v", es)
		}
		code, b = e.post("/ui/settings", id, url.Values{"group": {"thresholds"}, "campaign.max_bounce_rate": {"2"}, "bounce.soft_limit": {"4"}})
		if code != http.StatusBadRequest {
			t.Fatalf("a wrong rate: %d", code)
		}
		mustContain(t, "validation", b, `id="set-campaign-max_bounce_rate-err"`, "give a share between 0 and 1",
			`aria-describedby="set-campaign-max_bounce_rate-err set-campaign-max_bounce_rate-hint"`, `aria-invalid="true"`, `value="2"`, `value="4"`)
		if _, ok, _ := st.Setting(t.Context(), e.ws, wss.SettingBounceSoftLimit); ok {
			t.Fatal("a group with a wrong value saved its other values")
		}
		if code, _ = e.post("/ui/settings", id, url.Values{"group": {"tracking"}, "tracking.opens": {"true"}}); code != http.StatusSeeOther {
			t.Fatalf("tracking: %d", code)
		}
		if on, _ := wss.New(st).SettingBool(t.Context(), e.ws, wss.SettingTrackOpens); !on {
			t.Fatal("tracking.opens not on")
		}
		// DKIM: a wrong domain next to its field; a key's TXT record shown.
		code, b = e.post("/ui/settings/dkim", id, url.Values{"domain": {"not a domain"}, "selector": {"cl1"}, "algorithm": {"ed25519"}})
		if code != http.StatusBadRequest {
			t.Fatalf("dkim with a bad domain: %d", code)
		}
		mustContain(t, "dkim error", b, `id="dkim-domain-err"`, "is not a domain name")
		if code, _ = e.post("/ui/settings/dkim", id, url.Values{"domain": {"example.com"}, "selector": {"cl1"}, "algorithm": {"ed25519"}}); code != http.StatusSeeOther {
			t.Fatalf("dkim: %d", code)
		}
		_, b = e.get("/ui/settings/dkim", id)
		mustContain(t, "dkim", b, "cl1._domainkey.example.com. IN TXT &#34;v=DKIM1; k=ed25519; p=")
	})
}

var secretRe = regexp.MustCompile(`<code id="token-secret">([^<]+)</code>`)

// TestUITokensWebhooks on both engines: a new token's secret is shown once (and works), never
// in the list; a token is revoked; a token's name is escaped; a missing name is shown next to
// its field. A webhook is added (its secret once), its delivery status shown, and stopped.
func TestUITokensWebhooks(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		id := e.login("owner@example.com", "")
		r := e.do("POST", "/ui/settings/tokens", id, url.Values{"csrf": {user.CSRFToken(id)}, "name": {xssList}, "role": {"agent"}}, nil)
		b := bodyOf(t, r)
		m := secretRe.FindStringSubmatch(b)
		if r.StatusCode != 200 || m == nil || r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("create token: %d %v\n%s", r.StatusCode, r.Header, b)
		}
		if strings.Contains(b, xssList) || !strings.Contains(b, "&lt;img src=x onerror=alert(2)&gt;") {
			t.Fatal("token name not escaped")
		}
		tok, err := e.tokens.Authenticate(t.Context(), m[1])
		if err != nil || tok.Role != "agent" || tok.WorkspaceID != e.ws {
			t.Fatalf("the secret shown: %+v %v", tok, err)
		}
		_, list := e.get("/ui/settings/tokens", id)
		if strings.Contains(list, m[1]) || !strings.Contains(list, tok.Prefix) {
			t.Fatal("the list shows the secret, or not the token")
		}
		code, b := e.post("/ui/settings/tokens", id, url.Values{"name": {"  "}, "role": {"admin"}})
		if code != 400 {
			t.Fatalf("token without a name: %d", code)
		}
		mustContain(t, "token error", b, `id="token-name-err"`, "a token needs a name", `aria-describedby="token-name-err token-name-hint"`)
		if code, _ = e.post(idPath("/ui/settings/tokens/", tok.ID, "/revoke"), id, url.Values{}); code != http.StatusSeeOther {
			t.Fatalf("revoke: %d", code)
		}
		if _, err := access.New(st).Authenticate(t.Context(), m[1]); err == nil {
			t.Fatal("a revoked token still works")
		}
		if code, _ = e.post(idPath("/ui/settings/tokens/", tok.ID, "/revoke"), id, url.Values{}); code != 404 {
			t.Fatalf("revoke twice: %d", code)
		}

		code, b = e.post("/ui/settings/webhooks", id, url.Values{"url": {"ftp://x"}})
		if code != 400 || !strings.Contains(b, `id="webhook-url-err"`) {
			t.Fatalf("bad webhook URL: %d", code)
		}
		code, b = e.post("/ui/settings/webhooks", id, url.Values{"url": {"https://hooks.example.com/dnc?a=1&b=<2>"}})
		if code != 200 || !regexp.MustCompile(`<code id="webhook-secret">[0-9a-f]{64}</code>`).MatchString(b) {
			t.Fatalf("add webhook: %d\n%s", code, b)
		}
		hs, _ := webhook.NewService(st, nil, nil).List(t.Context(), e.ws)
		if len(hs) != 1 {
			t.Fatalf("webhooks: %+v", hs)
		}
		_, list = e.get("/ui/settings/webhooks", id)
		if strings.Contains(list, `id="webhook-secret"`) || !strings.Contains(list, "b=&lt;2&gt;") {
			t.Fatal("webhook list shows a secret, or the URL unescaped")
		}
		code, b = e.get(idPath("/ui/settings/webhooks/", hs[0].ID, ""), id)
		if code != 200 || !strings.Contains(b, "Nothing was sent to this webhook yet") {
			t.Fatalf("delivery status: %d", code)
		}
		if code, _ = e.post(idPath("/ui/settings/webhooks/", hs[0].ID, "/disable"), id, url.Values{}); code != http.StatusSeeOther {
			t.Fatalf("stop: %d", code)
		}
		_, list = e.get("/ui/settings/webhooks", id)
		mustContain(t, "stopped webhook", list, "stopped ")
		if code, _ = e.get("/ui/settings/webhooks/99999", id); code != 404 {
			t.Fatalf("another's webhook: %d", code)
		}
	})
}

// TestUIUsersPage on both engines: an owner adds a user (role, password checked next to its
// field), changes a role, disables an account and sets a password; an admin may not give the
// owner role nor change an owner; nobody changes their own role; names are escaped.
func TestUIUsersPage(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		owner := e.login("owner@example.com", "")
		code, b := e.post("/ui/settings/users", owner, url.Values{"email": {"zed@example.com"}, "name": {xssName}, "role": {"compliance"},
			"password": {"short"}})
		if code != 400 {
			t.Fatalf("short password: %d", code)
		}
		mustContain(t, "password error", b, `id="user-password-err"`, "use at least 12", `value="zed@example.com"`)
		code, _ = e.post("/ui/settings/users", owner, url.Values{"email": {"zed@example.com"}, "name": {xssName}, "role": {"compliance"},
			"password": {"a long enough passphrase"}})
		if code != http.StatusSeeOther {
			t.Fatalf("add: %d", code)
		}
		_, b = e.get("/ui/settings/users?done=added", owner)
		if strings.Contains(b, xssName) || !strings.Contains(b, "zed@example.com") || !strings.Contains(b, "The user was added.") {
			t.Fatal("users page: name not escaped or user missing")
		}
		zed := e.login("zed@example.com", "")
		if code, _ = e.get("/ui/purposes", zed); code != 200 {
			t.Fatalf("the new compliance user: %d", code)
		}
		code, b = e.post("/ui/settings/users", owner, url.Values{"email": {"zed@example.com"}, "role": {"admin"}, "password": {"a long enough passphrase"}})
		if code != 400 || !strings.Contains(b, `id="user-email-err"`) {
			t.Fatalf("the same address again: %d", code)
		}
		if code, _ = e.post("/ui/settings/users/role", owner, url.Values{"email": {"zed@example.com"}, "role": {"marketer"}}); code != http.StatusSeeOther {
			t.Fatalf("role: %d", code)
		}
		if code, _ = e.post("/ui/settings/users/password", owner, url.Values{"email": {"zed@example.com"}, "password": {"another long passphrase"}}); code != http.StatusSeeOther {
			t.Fatalf("password: %d", code)
		}
		if code, _ = e.get("/ui/", zed); code != http.StatusSeeOther {
			t.Fatalf("a session outlived a new password: %d", code)
		}
		if code, _ = e.post("/ui/settings/users/disable", owner, url.Values{"email": {"zed@example.com"}, "disabled": {"true"}}); code != http.StatusSeeOther {
			t.Fatalf("disable: %d", code)
		}
		us, _ := e.users.Members(t.Context(), e.ws)
		for _, u := range us {
			if u.Email == "zed@example.com" && (!u.Disabled || roleOf(u, e.ws) != "marketer") {
				t.Fatalf("zed: %+v", u)
			}
		}
		admin := e.login("admin@example.com", "")
		for _, c := range []struct{ path, email, role string }{
			{"/ui/settings/users/role", "marketer@example.com", "owner"},
			{"/ui/settings/users/role", "owner@example.com", "read-only"},
			{"/ui/settings/users/disable", "owner@example.com", ""},
			{"/ui/settings/users/role", "admin@example.com", "marketer"},
		} {
			code, b := e.post(c.path, admin, url.Values{"email": {c.email}, "role": {c.role}, "disabled": {"true"}})
			if code != 403 || !strings.Contains(b, `id="users-error"`) {
				t.Errorf("admin %s %s %s: %d", c.path, c.email, c.role, code)
			}
		}
		code, b = e.post("/ui/settings/users", admin, url.Values{"email": {"boss@example.com"}, "role": {"owner"}, "password": {"a long enough passphrase"}})
		if code != 400 || !strings.Contains(b, "only an owner") {
			t.Errorf("admin adds an owner: %d", code)
		}
		if code, _ = e.post("/ui/settings/users/role", admin, url.Values{"email": {"nobody@example.com"}, "role": {"marketer"}}); code != 400 {
			t.Errorf("role of a stranger: %d", code)
		}
	})
}

var recoveryRe = regexp.MustCompile(`<code class="recovery-code">([a-z2-7]{5}-[a-z2-7]{5})</code>`)

// TestUITOTPAndSwitch on both engines: a user turns TOTP on (a wrong code is shown next to its
// field, nothing changes), gets recovery codes once; then a login needs a code, and a
// recovery code signs in once instead. A user with two workspaces switches between them.
func TestUITOTPAndSwitch(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		id := e.login("marketer@example.com", "")
		code, b := e.get("/ui/account/totp", id)
		m := regexp.MustCompile(`<code id="totp-secret">([A-Z2-7]+)</code>`).FindStringSubmatch(b)
		if code != 200 || m == nil || !strings.Contains(b, `<svg xmlns="http://www.w3.org/2000/svg" class="qr"`) || !strings.Contains(b, "otpauth://totp/clearlist:marketer@example.com?") {
			t.Fatalf("totp set-up: %d\n%s", code, b)
		}
		secret := m[1]
		code, b = e.post("/ui/account/totp", id, url.Values{"secret": {secret}, "code": {"000000"}})
		if code != 400 || !strings.Contains(b, `id="totp-code-err"`) || !strings.Contains(b, secret) {
			t.Fatalf("wrong code: %d", code)
		}
		now, _ := totp.GenerateCode(secret, time.Now())
		code, b = e.post("/ui/account/totp", id, url.Values{"secret": {secret}, "code": {now}})
		codes := recoveryRe.FindAllStringSubmatch(b, -1)
		if code != 200 || len(codes) != user.RecoveryCodes {
			t.Fatalf("enable: %d, %d codes\n%s", code, len(codes), b)
		}
		_, acct := e.get("/ui/account", id)
		mustContain(t, "account", acct, "On: every sign-in asks for a code", "10 left")
		if strings.Contains(acct, codes[0][1]) {
			t.Fatal("the recovery codes are shown again")
		}
		login := func(code string) int {
			return e.do("POST", "/login", "", url.Values{"email": {"marketer@example.com"}, "password": {"a long enough passphrase"}, "code": {code}}, nil).StatusCode
		}
		if got := login(""); got != http.StatusUnauthorized {
			t.Fatalf("login without a code: %d", got)
		}
		rc := strings.ToUpper(codes[3][1])
		if got := login(rc); got != http.StatusSeeOther {
			t.Fatalf("login with a recovery code: %d", got)
		}
		if got := login(rc); got != http.StatusUnauthorized {
			t.Fatalf("a recovery code signed in twice: %d", got)
		}
		if got := login("aaaaa-aaaaa"); got != http.StatusUnauthorized {
			t.Fatalf("a made-up recovery code: %d", got)
		}

		// The workspace switcher.
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		other, err := st.EnsureWorkspace(ctx, "zz-client")
		if err != nil {
			t.Fatal(err)
		}
		if err := e.users.SetRole(ctx, "admin@example.com", other.ID, "read-only"); err != nil {
			t.Fatal(err)
		}
		aid := e.login("admin@example.com", "")
		_, acct = e.get("/ui/account", aid)
		mustContain(t, "switcher", acct, `<select id="switch-ws" name="workspace"`, "zz-client (read-only)")
		if code, _ = e.post("/ui/account/workspace", aid, url.Values{"workspace": {"elsewhere"}}); code != 400 {
			t.Fatalf("switch to a workspace without a role: %d", code)
		}
		if code, _ = e.post("/ui/account/workspace", aid, url.Values{"workspace": {"zz-client"}}); code != http.StatusSeeOther {
			t.Fatalf("switch: %d", code)
		}
		_, dash := e.get("/ui/", aid)
		mustContain(t, "dashboard after the switch", dash, "role <strong>read-only</strong>, workspace <strong>zz-client</strong>")
		if code, _ = e.get("/ui/settings", aid); code != 403 {
			t.Fatalf("read-only in zz-client opens settings: %d", code)
		}
		// Read-only may still switch back (and manage their own sign-in).
		if code, _ = e.post("/ui/account/workspace", aid, url.Values{"workspace": {"default"}}); code != http.StatusSeeOther {
			t.Fatalf("switch back as read-only: %d", code)
		}
	})
}

// TestUIPurposesPage on both engines: a purpose is declared (escaped, a taken name shown next
// to its field); an assessment with a missing test is refused next to that field, a
// complete one is shown with its three tests.
func TestUIPurposesPage(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		id := e.login("compliance@example.com", "")
		if code, _ := e.post("/ui/purposes", id, url.Values{"name": {"webinars"}, "description": {xssQuote}, "marketing": {"on"}}); code != http.StatusSeeOther {
			t.Fatalf("declare: %d", code)
		}
		code, b := e.post("/ui/purposes", id, url.Values{"name": {"webinars"}, "description": {"again"}})
		if code != 400 || !strings.Contains(b, `id="purpose-name-err"`) || !strings.Contains(b, "already a purpose webinars") {
			t.Fatalf("taken name: %d", code)
		}
		code, b = e.post("/ui/purposes", id, url.Values{"name": {"Bad Name"}, "description": {"x"}})
		if code != 400 || !strings.Contains(b, "lower-case letters") {
			t.Fatalf("bad name: %d", code)
		}
		code, b = e.post("/ui/purposes/lia", id, url.Values{"purpose": {"webinars"}, "purpose_text": {"Tell customers about webinars"},
			"necessity": {" "}, "balancing": {"Customers expect it"}, "approved_by": {"DPO"}})
		if code != 400 {
			t.Fatalf("LIA without necessity: %d", code)
		}
		mustContain(t, "lia error", b, `id="lia-necessity-err"`, "necessity is empty", "Tell customers about webinars")
		if code, _ = e.post("/ui/purposes/lia", id, url.Values{"purpose": {"webinars"}, "purpose_text": {"Tell customers <about> webinars"},
			"necessity": {"No other way"}, "balancing": {"Customers expect it"}, "approved_by": {"DPO"}}); code != http.StatusSeeOther {
			t.Fatalf("LIA: %d", code)
		}
		_, b = e.get("/ui/purposes", id)
		mustContain(t, "purposes", b, "say &#34;hi&#34; &amp; &#39;bye&#39; &lt;b&gt;", "Purpose test", "Tell customers &lt;about&gt; webinars",
			"Necessity test", "No other way", "Balancing test", "DPO")
		if strings.Contains(b, xssQuote) {
			t.Fatal("a description unescaped")
		}
	})
}

// TestUIWorkspacesPage on both engines: an owner creates a workspace (a bad or taken name is
// shown next to the field), becomes its owner and switches to it; an admin may not create one.
func TestUIWorkspacesPage(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		admin := e.login("admin@example.com", "")
		if code, _ := e.get("/ui/settings/workspaces", admin); code != 403 {
			t.Fatalf("admin opens workspaces: %d", code)
		}
		if code, _ := e.post("/ui/settings/workspaces", admin, url.Values{"name": {"nope"}}); code != 403 {
			t.Fatalf("admin creates a workspace: %d", code)
		}
		_, b := e.get("/ui/settings", admin)
		if strings.Contains(b, `href="/ui/settings/workspaces"`) {
			t.Fatal("an admin's sub-navigation links to workspaces")
		}
		id := e.login("owner@example.com", "")
		code, b := e.post("/ui/settings/workspaces", id, url.Values{"name": {"<Bad Name>"}})
		if code != 400 {
			t.Fatalf("bad name: %d", code)
		}
		mustContain(t, "bad name", b, `id="ws-name-err"`, "is not allowed", `value="&lt;Bad Name&gt;"`)
		if code, _ = e.post("/ui/settings/workspaces", id, url.Values{"name": {"acme-ltd"}}); code != http.StatusSeeOther {
			t.Fatalf("create: %d", code)
		}
		if code, b = e.post("/ui/settings/workspaces", id, url.Values{"name": {"acme-ltd"}}); code != 400 || !strings.Contains(b, "already exists") {
			t.Fatalf("taken name: %d", code)
		}
		_, b = e.get("/ui/settings/workspaces?created=acme-ltd", id)
		mustContain(t, "workspaces", b, "<td>acme-ltd</td><td>owner</td>", "<td>default</td><td>owner</td>", "was created")
		if code, _ = e.post("/ui/account/workspace", id, url.Values{"workspace": {"acme-ltd"}}); code != http.StatusSeeOther {
			t.Fatalf("switch: %d", code)
		}
		_, dash := e.get("/ui/", id)
		mustContain(t, "dashboard", dash, "workspace <strong>acme-ltd</strong>")
	})
}
