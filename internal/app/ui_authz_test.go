package app

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/user"
	"github.com/clearlist/clearlist/internal/web"
)

// TestAuthorisationTableSessions sends every /api/v1 route with a signed-in browser session of
// every user role through the real server, as TestAuthorisationTable does with tokens: the same
// decisions hold, with an owner deciding as an admin and read-only reading what a marketer may
// read and changing nothing.
func TestAuthorisationTableSessions(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	base, stop := startServer(t, a)
	defer stop()
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	sessions := map[string]string{}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, role := range access.UserRoles {
		email := role + "@example.com"
		if _, err := a.Users.Add(ctx, email, "", "a long enough passphrase", a.Workspace.ID, role); err != nil {
			t.Fatal(err)
		}
		resp, err := noRedirect.PostForm(base+"/login", url.Values{"email": {email}, "password": {"a long enough passphrase"}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		for _, c := range resp.Cookies() {
			sessions[role] = c.Value
		}
		if sessions[role] == "" {
			t.Fatalf("login as %s: %d", role, resp.StatusCode)
		}
	}
	for _, r := range web.APIRoutes() {
		decided := expectedRoles(r.Pattern)
		method, path, _ := strings.Cut(r.Pattern, " ")
		path = pathParam.ReplaceAllString(path, "999999")
		for _, role := range access.UserRoles {
			var allowed bool
			switch role {
			case access.RoleOwner:
				allowed = slices.Contains(decided, access.RoleAdmin)
			case access.RoleReadOnly:
				allowed = method == http.MethodGet && slices.Contains(decided, access.RoleMarketer)
			default:
				allowed = slices.Contains(decided, role)
			}
			body := "{}"
			if method == http.MethodGet {
				body = ""
			}
			req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
			req.AddCookie(&http.Cookie{Name: "clearlist_session", Value: sessions[role]})
			req.Header.Set("X-CSRF-Token", user.CSRFToken(sessions[role]))
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			out := readBody(t, resp)
			code := resp.StatusCode
			switch {
			case !allowed && code != http.StatusForbidden:
				t.Errorf("%s as %s (session): %d, want 403\n%s", r.Pattern, role, code, out)
			case allowed && (code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusMethodNotAllowed):
				t.Errorf("%s as %s (session): %d, want the route's own answer\n%s", r.Pattern, role, code, out)
			}
		}
	}
}
