package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce/espsettings"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/user"
	wss "github.com/clearlist/clearlist/internal/workspace"
)

// adminAPIRoutes are the admin API routes with a request each that passes validation where
// it can (so an allowed role reaches the service), and the UI page gated by the route.
var adminAPIRoutes = []struct {
	route, path, body, page string
}{
	{settingsRoute, "/api/v1/settings", "", "/ui/settings"},
	{setSettingsRoute, "/api/v1/settings", `{"values":{"sender.name":"Acme"}}`, ""},
	{dkimRoute, "/api/v1/dkim", "", "/ui/settings/dkim"},
	{makeDKIMRoute, "/api/v1/dkim", `{"domain":"example.com","selector":"s1","algorithm":"ed25519"}`, ""},
	{tokensRoute, "/api/v1/tokens", "", "/ui/settings/tokens"},
	{createTokenRoute, "/api/v1/tokens", `{"name":"made","role":"agent"}`, ""},
	{revokeTokenRoute, "/api/v1/tokens/999999", "", ""},
	{webhooksRoute, "/api/v1/webhooks", "", "/ui/settings/webhooks"},
	{addWebhookRoute, "/api/v1/webhooks", `{"url":"https://crm.example.com/hook"}`, ""},
	{dropWebhookRoute, "/api/v1/webhooks/999999", "", ""},
	{webhookLogRoute, "/api/v1/webhooks/999999/deliveries", "", ""},
	{workspacesRoute, "/api/v1/workspaces", "", ""},
	{usersRoute, "/api/v1/users", "", "/ui/settings/users"},
	{addUserRoute, "/api/v1/users", `{"email":"x@example.com","password":"a long enough passphrase","role":"marketer"}`, ""},
	{changeUserRoute, "/api/v1/users/999999", `{"disabled":true}`, ""},
	{liaRoute, "/api/v1/purposes/newsletter/lia", "", ""},
	{setLIARoute, "/api/v1/purposes/newsletter/lia", `{"purpose_text":"a","necessity":"b","balancing":"c","approved_by":"d"}`, ""},
}

// adminUIForms are the admin pages' forms, each calling the service method of a changing
// route: a role may post one exactly when it may call the route.
var adminUIForms = []struct {
	route, path string
	form        url.Values
}{
	{setSettingsRoute, "/ui/settings", url.Values{"group": {"sender"}, "sender.name": {"Acme"}}},
	{makeDKIMRoute, "/ui/settings/dkim", url.Values{"domain": {"example.com"}, "selector": {"s2"}, "algorithm": {"ed25519"}}},
	{createTokenRoute, "/ui/settings/tokens", url.Values{"name": {"ui-made"}, "role": {"agent"}}},
	{revokeTokenRoute, "/ui/settings/tokens/999999/revoke", url.Values{}},
	{addWebhookRoute, "/ui/settings/webhooks", url.Values{"url": {"https://ui.example.com/hook"}}},
	{dropWebhookRoute, "/ui/settings/webhooks/999999/disable", url.Values{}},
	{addUserRoute, "/ui/settings/users", url.Values{"email": {"ui-{role}@example.com"}, "role": {"agent"}, "password": {"a long enough passphrase"}}},
	{changeUserRoute, "/ui/settings/users/disable", url.Values{"email": {"nobody@example.com"}}},
	{setLIARoute, "/ui/purposes/lia", url.Values{"purpose": {"newsletter"}, "purpose_text": {"a"}, "necessity": {"b"}, "balancing": {"c"}, "approved_by": {"d"}}},
}

// roleToken makes a token of a role in the env's workspace and returns its secret.
func (e *adminEnv) roleToken(role string) (access.Token, string) {
	e.t.Helper()
	ctx := audit.WithActor(e.t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	tok, secret, err := e.tokens.Create(ctx, e.ws, role+"-token", role)
	if err != nil {
		e.t.Fatal(err)
	}
	return tok, secret
}

// sessionJSON sends a JSON request as a signed-in browser (session cookie and its CSRF token).
func (e *adminEnv) sessionJSON(method, path, session, body string) response {
	e.t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequestWithContext(e.t.Context(), method, e.http.URL+path, r)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	req.Header.Set("X-CSRF-Token", user.CSRFToken(session))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := e.http.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, header: res.Header, body: b}
}

// lastEntry is the newest audit entry of the workspace.
func lastEntry(t *testing.T, st *store.Store, ws int64) audit.Entry {
	t.Helper()
	es, err := st.AuditEntries(t.Context(), ws, audit.Filter{Limit: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("audit entries: %v %v", es, err)
	}
	return es[0]
}

// TestAdminAPIRoles on both engines drives the admin routes with a token of every role and a
// session of every user role, and the UI pages gated by them with the same sessions: each
// answer follows the one route table (routeRoles), a refused role gets 403 before anything
// happens, an allowed one the route's own answer, and a page opens exactly when its route does.
func TestAdminAPIRoles(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		// The routes' decisions, written out apart from the table.
		for _, r := range adminAPIRoutes {
			want := []string{access.RoleAdmin}
			if strings.Contains(r.route, "/lia") {
				want = []string{access.RoleAdmin, access.RoleCompliance}
			}
			if got := rolesFor(r.route); !slices.Equal(got, want) {
				t.Errorf("%s: the table allows %v, want %v", r.route, got, want)
			}
		}
		check := func(who, role string, r response, route string) {
			t.Helper()
			method, _, _ := strings.Cut(route, " ")
			allowed := access.Allows(rolesFor(route), role, method)
			if !allowed && r.status != http.StatusForbidden || allowed && (r.status == 401 || r.status == 403 || r.status == 405) {
				t.Errorf("%s %s as %s: %d (allowed %v)\n%s", route, who, role, r.status, allowed, short(r.body))
			}
		}
		for _, role := range access.Roles {
			_, secret := e.roleToken(role)
			for _, r := range adminAPIRoutes {
				method, _, _ := strings.Cut(r.route, " ")
				var body any
				if r.body != "" {
					body = r.body
				}
				check("token", role, e.doAs(secret, method, r.path, body, ""), r.route)
			}
		}
		for _, role := range access.UserRoles {
			id := e.login(role+"@example.com", "")
			for _, r := range adminAPIRoutes {
				method, _, _ := strings.Cut(r.route, " ")
				check("session", role, e.sessionJSON(method, r.path, id, r.body), r.route)
				if r.page == "" {
					continue
				}
				code, _ := e.get(r.page, id)
				if opens := access.Allows(rolesFor(r.route), role, http.MethodGet); opens != (code == 200) || !opens && code != 403 {
					t.Errorf("%s opens %s: %d, but its route %s says %v", role, r.page, code, r.route, opens)
				}
			}
			for _, f := range adminUIForms {
				form := url.Values{}
				for k, v := range f.form {
					form[k] = []string{strings.ReplaceAll(v[0], "{role}", role)}
				}
				code, b := e.post(f.path, id, form)
				method, _, _ := strings.Cut(f.route, " ")
				if may := access.Allows(rolesFor(f.route), role, method); may != (code != 403) {
					t.Errorf("%s posts %s: %d, but its route %s says %v\n%s", role, f.path, code, f.route, may, b)
				}
			}
		}
	})
}

// TestAdminAPISettings on both engines: the settings with their groups, a secret never
// shown; a change of several values stores all or none (422 naming each wrong one), a key
// outside the group given is refused; the change is audited as the token.
func TestAdminAPISettings(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		tok, secret := e.roleToken(access.RoleAdmin)
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		if err := wss.New(st).SetSetting(ctx, e.ws, espsettings.SettingMailgunKey, "key-verysecret123"); err != nil {
			t.Fatal(err)
		}
		r := e.doAs(secret, "GET", "/api/v1/settings", nil, "")
		want(t, r, 200)
		if strings.Contains(string(r.body), "verysecret") {
			t.Fatalf("the settings show a secret:\n%s", r.body)
		}
		var got struct {
			Items []settingOut `json:"items"`
		}
		if err := json.Unmarshal(r.body, &got); err != nil {
			t.Fatal(err)
		}
		byName := map[string]settingOut{}
		for _, s := range got.Items {
			byName[s.Name] = s
		}
		if s := byName[espsettings.SettingMailgunKey]; !s.Secret || !s.Set || s.Value != "" {
			t.Errorf("secret setting: %+v", s)
		}
		if s := byName[wss.SettingTrackOpens]; s.Group != "tracking" || s.Meaning == "" {
			t.Errorf("tracking.opens: %+v", s)
		}

		r = e.doAs(secret, "PUT", "/api/v1/settings", `{"values":{"sender.name":"Acme","campaign.max_bounce_rate":"lots","tracking.opens":"maybe"}}`, "")
		want(t, r, 422)
		b := string(r.body)
		for _, s := range []string{`"location":"body.values.campaign.max_bounce_rate"`, `"location":"body.values.tracking.opens"`} {
			if !strings.Contains(b, s) {
				t.Errorf("422 lacks %s:\n%s", s, b)
			}
		}
		if strings.Contains(b, "body.values.sender.name") {
			t.Errorf("a right value named as wrong:\n%s", b)
		}
		if v, ok, _ := st.Setting(t.Context(), e.ws, wss.SettingSenderName); ok {
			t.Fatalf("a refused change stored sender.name = %q", v)
		}
		r = e.doAs(secret, "PUT", "/api/v1/settings", `{"group":"tracking","values":{"sender.name":"Acme"}}`, "")
		want(t, r, 422)
		if !strings.Contains(string(r.body), "not in the group tracking") {
			t.Errorf("a key outside the group: %s", r.body)
		}
		r = e.doAs(secret, "PUT", "/api/v1/settings", fmt.Sprintf(`{"values":{%q:"x"}}`, espsettings.SettingMailgunKey), "")
		want(t, r, 422)
		r = e.doAs(secret, "PUT", "/api/v1/settings", `{"group":"sender","values":{"sender.name":"Acme <Ltd>"}}`, "")
		want(t, r, 200)
		if !strings.Contains(string(r.body), `"value":"Acme \u003cLtd\u003e"`) && !strings.Contains(string(r.body), `"value":"Acme <Ltd>"`) {
			t.Errorf("the answer lacks the new value:\n%s", r.body)
		}
		if v, _, _ := st.Setting(t.Context(), e.ws, wss.SettingSenderName); v != "Acme <Ltd>" {
			t.Fatalf("sender.name = %q", v)
		}
		en := lastEntry(t, st, e.ws)
		if en.Action != "setting.set" || en.Actor.Kind != audit.Token || en.Actor.ID != strconv.FormatInt(tok.ID, 10) || en.Actor.Role != access.RoleAdmin {
			t.Errorf("audit entry %s by %+v, want setting.set by token %d", en.Action, en.Actor, tok.ID)
		}
	})
}

// TestAdminAPITokensWebhooks on both engines: a new token's and webhook's secret is in the
// create answer only (no-store), never in the lists; the token works until revoked; wrong
// input is a 422 naming the field; another workspace's (or no) id is a 404; each change is
// audited as the token that made it.
func TestAdminAPITokensWebhooks(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		tok, secret := e.roleToken(access.RoleAdmin)
		actor := strconv.FormatInt(tok.ID, 10)
		r := e.doAs(secret, "POST", "/api/v1/tokens", `{"name":"crm-sync","role":"agent"}`, "")
		want(t, r, 201)
		var made struct {
			Token  access.Token `json:"token"`
			Secret string       `json:"secret"`
		}
		if err := json.Unmarshal(r.body, &made); err != nil || !strings.HasPrefix(made.Secret, "clt_") || made.Token.Role != "agent" {
			t.Fatalf("create token: %v %s", err, r.body)
		}
		if r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("the answer with a secret may be cached: %v", r.header)
		}
		if en := lastEntry(t, st, e.ws); en.Action != "token.create" || en.Actor.ID != actor {
			t.Errorf("audit %s by %+v", en.Action, en.Actor)
		}
		r = e.doAs(secret, "GET", "/api/v1/tokens", nil, "")
		want(t, r, 200)
		if bytes.Contains(r.body, []byte(made.Secret)) || !bytes.Contains(r.body, []byte(`"name":"crm-sync"`)) {
			t.Fatalf("the list shows the secret, or not the token:\n%s", r.body)
		}
		want(t, e.doAs(made.Secret, "GET", "/api/v1/tokens", nil, ""), 403) // known, but an agent
		for body, loc := range map[string]string{`{"name":"x","role":"owner"}`: "body.role", `{"name":"  ","role":"agent"}`: "body.name"} {
			r = e.doAs(secret, "POST", "/api/v1/tokens", body, "")
			if r.status != 422 || !strings.Contains(string(r.body), `"location":"`+loc+`"`) {
				t.Errorf("%s: %d %s", body, r.status, r.body)
			}
		}
		want(t, e.doAs(secret, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", made.Token.ID), nil, ""), 204)
		if en := lastEntry(t, st, e.ws); en.Action != "token.revoke" || en.Actor.ID != actor {
			t.Errorf("audit %s by %+v", en.Action, en.Actor)
		}
		if _, err := e.tokens.Authenticate(t.Context(), made.Secret); err == nil {
			t.Fatal("a revoked token still works")
		}
		want(t, e.doAs(secret, "DELETE", fmt.Sprintf("/api/v1/tokens/%d", made.Token.ID), nil, ""), 404)

		r = e.doAs(secret, "POST", "/api/v1/webhooks", `{"url":"ftp://x"}`, "")
		if r.status != 422 || !strings.Contains(string(r.body), `"location":"body.url"`) {
			t.Fatalf("bad webhook URL: %d %s", r.status, r.body)
		}
		r = e.doAs(secret, "POST", "/api/v1/webhooks", `{"url":"https://hooks.example.com/dnc"}`, "")
		want(t, r, 201)
		var hook struct {
			Webhook struct {
				ID int64 `json:"id"`
			} `json:"webhook"`
			Secret string `json:"secret"`
		}
		if err := json.Unmarshal(r.body, &hook); err != nil || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(hook.Secret) ||
			r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("add webhook: %v %s", err, r.body)
		}
		if en := lastEntry(t, st, e.ws); en.Action != "webhook.create" || en.Actor.ID != actor {
			t.Errorf("audit %s by %+v", en.Action, en.Actor)
		}
		r = e.doAs(secret, "GET", "/api/v1/webhooks", nil, "")
		want(t, r, 200)
		if bytes.Contains(r.body, []byte(hook.Secret)) || !bytes.Contains(r.body, []byte("hooks.example.com")) {
			t.Fatalf("the list shows the secret, or not the webhook:\n%s", r.body)
		}
		want(t, e.doAs(secret, "DELETE", fmt.Sprintf("/api/v1/webhooks/%d", hook.Webhook.ID), nil, ""), 204)
		if en := lastEntry(t, st, e.ws); en.Action != "webhook.disable" || en.Actor.ID != actor {
			t.Errorf("audit %s by %+v", en.Action, en.Actor)
		}
		want(t, e.doAs(secret, "DELETE", "/api/v1/webhooks/999999", nil, ""), 404)
	})
}

// TestAdminAPIUsers on both engines: the user service's rules hold over the API. An admin
// token adds people but neither gives nor takes the owner role nor touches an owner; one
// change per request; an owner's session gives the owner role; nobody changes their own
// role; a wrong password is a 422; changes are audited as the token or the person.
func TestAdminAPIUsers(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		tok, secret := e.roleToken(access.RoleAdmin)
		r := e.doAs(secret, "GET", "/api/v1/users", nil, "")
		want(t, r, 200)
		var list struct {
			Items []userOut `json:"items"`
		}
		if err := json.Unmarshal(r.body, &list); err != nil || len(list.Items) != len(access.UserRoles) {
			t.Fatalf("users: %v %s", err, r.body)
		}
		ids := map[string]int64{}
		for _, u := range list.Items {
			ids[u.Role] = u.ID
			if u.Email != u.Role+"@example.com" {
				t.Errorf("user %+v", u)
			}
		}
		r = e.doAs(secret, "POST", "/api/v1/users", `{"email":"new@example.com","password":"a long enough passphrase","role":"marketer"}`, "")
		want(t, r, 201)
		var added userOut
		if err := json.Unmarshal(r.body, &added); err != nil || added.Role != "marketer" || added.ID == 0 {
			t.Fatalf("added: %v %s", err, r.body)
		}
		if en := lastEntry(t, st, e.ws); en.Action != "user.role" || en.Actor.Kind != audit.Token || en.Actor.ID != strconv.FormatInt(tok.ID, 10) {
			t.Errorf("audit %s by %+v", en.Action, en.Actor)
		}
		want(t, e.doAs(secret, "POST", "/api/v1/users", `{"email":"new@example.com","password":"a long enough passphrase","role":"marketer"}`, ""), 409)
		want(t, e.doAs(secret, "POST", "/api/v1/users", `{"email":"boss@example.com","password":"a long enough passphrase","role":"owner"}`, ""), 403)
		r = e.doAs(secret, "POST", "/api/v1/users", `{"email":"weak@example.com","password":"short","role":"agent"}`, "")
		if r.status != 422 || !strings.Contains(string(r.body), `"location":"body.password"`) {
			t.Errorf("short password: %d %s", r.status, r.body)
		}
		path := func(id int64) string { return fmt.Sprintf("/api/v1/users/%d", id) }
		want(t, e.doAs(secret, "PATCH", path(ids["owner"]), `{"role":"admin"}`, ""), 403)
		want(t, e.doAs(secret, "PATCH", path(ids["owner"]), `{"disabled":true}`, ""), 403)
		want(t, e.doAs(secret, "PATCH", path(added.ID), `{"role":"owner"}`, ""), 403)
		want(t, e.doAs(secret, "PATCH", path(added.ID), `{"role":"agent","disabled":true}`, ""), 422)
		want(t, e.doAs(secret, "PATCH", path(added.ID), `{}`, ""), 422)
		want(t, e.doAs(secret, "PATCH", path(999999), `{"disabled":true}`, ""), 404)
		r = e.doAs(secret, "PATCH", path(added.ID), `{"role":"compliance"}`, "")
		want(t, r, 200)
		if !strings.Contains(string(r.body), `"role":"compliance"`) {
			t.Errorf("changed role: %s", r.body)
		}
		r = e.doAs(secret, "PATCH", path(added.ID), `{"disabled":true}`, "")
		want(t, r, 200)
		if en := lastEntry(t, st, e.ws); !strings.HasPrefix(en.Action, "user.") || en.Actor.Kind != audit.Token {
			t.Errorf("audit %s by %+v", en.Action, en.Actor)
		}
		if !strings.Contains(string(r.body), `"disabled":true`) {
			t.Errorf("disabled: %s", r.body)
		}
		want(t, e.doAs(secret, "PATCH", path(added.ID), `{"password":"short"}`, ""), 422)

		// Sessions: the person's own role decides (an owner gives owner), never their own role.
		owner := e.login("owner@example.com", "")
		r = e.sessionJSON("PATCH", path(added.ID), owner, `{"role":"owner"}`)
		want(t, r, 200)
		if en := lastEntry(t, st, e.ws); en.Action != "user.role" || en.Actor.Kind != audit.User {
			t.Errorf("audit %s by %+v, want the owner", en.Action, en.Actor)
		}
		want(t, e.sessionJSON("PATCH", path(ids["owner"]), owner, `{"role":"admin"}`), 403)
		admin := e.login("admin@example.com", "")
		want(t, e.sessionJSON("PATCH", path(ids["admin"]), admin, `{"role":"compliance"}`), 403)
		want(t, e.sessionJSON("PATCH", path(added.ID), admin, `{"role":"marketer"}`), 403) // now an owner
	})
}

// TestAdminAPILIAAndDKIM on both engines: an assessment is read and written by compliance
// (each missing part named), an unknown purpose is a 404; a DKIM key is generated with its
// DNS record (a wrong domain named) and listed; both audited as the token.
func TestAdminAPILIAAndDKIM(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newAdminEnv(t, st)
		tok, secret := e.roleToken(access.RoleCompliance) // newsletter is a purpose of every workspace
		want(t, e.doAs(secret, "GET", "/api/v1/purposes/newsletter/lia", nil, ""), 404)
		r := e.doAs(secret, "PUT", "/api/v1/purposes/newsletter/lia", `{"purpose_text":"news","necessity":"","balancing":"fine","approved_by":"dpo"}`, "")
		if r.status != 422 || !strings.Contains(string(r.body), `"location":"body.necessity"`) {
			t.Fatalf("missing necessity: %d %s", r.status, r.body)
		}
		want(t, e.doAs(secret, "PUT", "/api/v1/purposes/nosuch/lia", `{"purpose_text":"a","necessity":"b","balancing":"c","approved_by":"d"}`, ""), 404)
		r = e.doAs(secret, "PUT", "/api/v1/purposes/newsletter/lia", `{"purpose_text":"news","necessity":"needed","balancing":"fine","approved_by":"dpo@example.com"}`, "")
		want(t, r, 200)
		if en := lastEntry(t, st, e.ws); en.Action != "lia.set" || en.Actor.ID != strconv.FormatInt(tok.ID, 10) || en.Actor.Role != access.RoleCompliance {
			t.Errorf("audit %s by %+v", en.Action, en.Actor)
		}
		r = e.doAs(secret, "GET", "/api/v1/purposes/newsletter/lia", nil, "")
		want(t, r, 200)
		if !strings.Contains(string(r.body), `"approved_by":"dpo@example.com"`) {
			t.Errorf("assessment: %s", r.body)
		}

		admTok, adm := e.roleToken(access.RoleAdmin)
		r = e.doAs(adm, "POST", "/api/v1/dkim", `{"domain":"not a domain","selector":"s1"}`, "")
		if r.status != 422 || !strings.Contains(string(r.body), `"location":"body.domain"`) {
			t.Fatalf("bad domain: %d %s", r.status, r.body)
		}
		r = e.doAs(adm, "POST", "/api/v1/dkim", `{"domain":"example.com","selector":"cl2026","algorithm":"ed25519"}`, "")
		want(t, r, 201)
		var key dkimKeyOut
		if err := json.Unmarshal(r.body, &key); err != nil || key.RecordName != "cl2026._domainkey.example.com" ||
			!strings.Contains(key.Record, "k=ed25519") || !strings.Contains(key.Zone, " IN TXT ") {
			t.Fatalf("generated: %v %s", err, r.body)
		}
		if strings.Contains(string(r.body), "PRIVATE KEY") {
			t.Fatal("the answer holds the private key")
		}
		if en := lastEntry(t, st, e.ws); en.Action != "dkim.generate" || en.Actor.ID != strconv.FormatInt(admTok.ID, 10) {
			t.Errorf("audit %s by %+v", en.Action, en.Actor)
		}
		r = e.doAs(adm, "GET", "/api/v1/dkim", nil, "")
		want(t, r, 200)
		if !strings.Contains(string(r.body), key.Record) {
			t.Errorf("keys: %s", r.body)
		}
	})
}
