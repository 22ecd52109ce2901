package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/web"
)

// roleTokens makes one token of every role in the app's workspace.
func roleTokens(t *testing.T, a *App) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, role := range store.Roles {
		_, secret, err := a.st.CreateTokenWithRole(context.Background(), a.Workspace.ID, role+"-token", role)
		if err != nil {
			t.Fatal(err)
		}
		out[role] = secret
	}
	return out
}

// Who may do what, written out here apart from the route table: a route or a role added to
// the table without a decision recorded here fails TestAuthorisationTable.
var (
	agentMay = []string{"GET /api/v1/check", "GET /api/v1/eligibility", "POST /api/v1/agent/dnc", "POST /api/v1/crm/flags"}
	// overrulerOnly are the routes only a role that may overrule a person's request may use.
	overrulerOnly = []string{"GET /api/v1/contacts/{id}/status-changes", "GET /api/v1/audit",
		"GET /api/v1/bounce/reviews", "POST /api/v1/bounce/reviews/{id}"}
	// operatorOnly are the instance's operations (its background jobs): admin and compliance.
	operatorOnly = []string{"GET /api/v1/jobs"}
	// marketingOnly are the campaign changes that send or shape mail: admin and marketer.
	// Compliance reads campaigns, pauses and cancels them, and alone decides a retry.
	marketingOnly = []string{"POST /api/v1/campaigns", "PUT /api/v1/campaigns/{id}", "POST /api/v1/campaigns/{id}/start",
		"POST /api/v1/campaigns/{id}/schedule", "POST /api/v1/campaigns/{id}/resume", "POST /api/v1/campaigns/{id}/test", "POST /api/v1/templates", "PUT /api/v1/templates/{id}",
		"POST /api/v1/transactional"}
	// retryDecision: queueing again deliveries that may have reached a person is compliance's call.
	retryDecision = []string{"POST /api/v1/campaigns/{id}/retry"}
	// adminOnly: retrying, cancelling and queueing the instance's background jobs (owners act
	// as admins).
	adminOnly = []string{"POST /api/v1/jobs/{id}/retry", "POST /api/v1/jobs/{id}/cancel", "POST /api/v1/jobs/run",
		// The workspace's settings, DKIM keys, API tokens, webhooks and people (the admin UI's
		// Settings pages, gated by these routes).
		"GET /api/v1/settings", "PUT /api/v1/settings", "GET /api/v1/dkim", "POST /api/v1/dkim",
		"GET /api/v1/tokens", "POST /api/v1/tokens", "DELETE /api/v1/tokens/{id}",
		"GET /api/v1/webhooks", "POST /api/v1/webhooks", "DELETE /api/v1/webhooks/{id}", "GET /api/v1/webhooks/{id}/deliveries",
		"GET /api/v1/users", "POST /api/v1/users", "PATCH /api/v1/users/{id}",
		// The workspaces the caller works in (the workspaces page's list).
		"GET /api/v1/workspaces"}
	// assessments: a purpose's legitimate-interest assessment is compliance's to read and write.
	assessments = []string{"GET /api/v1/purposes/{name}/lia", "PUT /api/v1/purposes/{name}/lia"}
)

// expectedRoles is the decision above for one route.
func expectedRoles(pattern string) []string {
	switch {
	case slices.Contains(agentMay, pattern):
		return []string{"admin", "agent", "compliance", "marketer"}
	case slices.Contains(overrulerOnly, pattern), slices.Contains(operatorOnly, pattern), slices.Contains(retryDecision, pattern),
		slices.Contains(assessments, pattern):
		return []string{"admin", "compliance"}
	case slices.Contains(marketingOnly, pattern):
		return []string{"admin", "marketer"}
	case slices.Contains(adminOnly, pattern):
		return []string{"admin"}
	}
	return []string{"admin", "compliance", "marketer"}
}

var pathParam = regexp.MustCompile(`\{[^}]+\}`)

// TestAuthorisationTable sends every /api/v1 route of the route table with a token of every
// role through the real server: a role the route does not allow gets 403 before anything
// happens; a role it allows reaches the route's handler (whatever it then answers, never
// 401 or 403, and never the router's own 404 or 405 — so every rule has its route).
func TestAuthorisationTable(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		tokens := roleTokens(t, a)
		base, stop := startServer(t, a)
		defer stop()
		routes := web.APIRoutes()
		if len(routes) < 30 {
			t.Fatalf("the route table has %d routes", len(routes))
		}
		for _, r := range routes {
			want := expectedRoles(r.Pattern)
			got := slices.Sorted(slices.Values(r.Roles))
			if !slices.Equal(got, want) {
				t.Errorf("%s: the table allows %v, the decision is %v", r.Pattern, got, want)
			}
			method, path, _ := strings.Cut(r.Pattern, " ")
			path = pathParam.ReplaceAllString(path, "999999")
			for _, role := range store.Roles {
				body, ctype := "{}", "application/json"
				if method == http.MethodGet {
					body, ctype = "", ""
				}
				code, out, header := apiCallHeader(t, method, base+path, tokens[role], ctype, body)
				allowed := slices.Contains(want, role)
				switch {
				case !allowed && code != http.StatusForbidden:
					t.Errorf("%s as %s: %d, want 403\n%s", r.Pattern, role, code, out)
				case allowed && (code == http.StatusUnauthorized || code == http.StatusForbidden || code == http.StatusMethodNotAllowed ||
					strings.HasPrefix(header.Get("Content-Type"), "text/plain")):
					t.Errorf("%s as %s: %d (%s), want the route's own answer\n%s", r.Pattern, role, code, header.Get("Content-Type"), out)
				}
			}
		}
	})
}

// apiCallHeader is apiCall that also returns the response headers.
func apiCallHeader(t *testing.T, method, url, token, ctype, body string) (int, string, http.Header) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, readBody(t, resp), resp.Header
}

// TestServeStatusLift: a marketer token cannot turn an unsubscribed (or blocked) contact back
// into a mailable one, by any path of statuses; compliance can, with a reason, and every
// change is on the record, which only compliance and admin read.
func TestServeStatusLift(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		tok := roleTokens(t, a)
		base, stop := startServer(t, a)
		defer stop()
		call := func(method, path, role, body string, want int) string {
			t.Helper()
			code, out := apiCall(t, method, base+path, tok[role], "application/json", body)
			if code != want {
				t.Fatalf("%s %s as %s: %d, want %d\n%s", method, path, role, code, want, out)
			}
			return out
		}
		out := call("POST", "/api/v1/contacts", "marketer", `{"email":"ann@example.com","source":{"source_type":"api"}}`, 201)
		if !strings.Contains(out, `"id":1,`) {
			t.Fatalf("create: %s", out)
		}
		c := "/api/v1/contacts/1"
		call("PATCH", c, "marketer", `{"status":"unsubscribed"}`, 200) // stopping contact is free
		call("PATCH", c, "marketer", `{"status":"active"}`, 403)
		for _, to := range []string{"active", "bounced", "subscribed"} {
			call("PATCH", c, "marketer", `{"status":"`+to+`","status_reason":"she is a customer"}`, 403)
		}
		call("PATCH", c, "compliance", `{"status":"active"}`, 422) // no reason
		call("PATCH", c, "compliance", `{"status":"active","status_reason":"  "}`, 422)
		out = call("PATCH", c, "marketer", `{"phone":"+49 30 1234567"}`, 200) // other fields stay free
		if !strings.Contains(out, `"status":"unsubscribed"`) {
			t.Fatalf("a change of phone changed the status: %s", out)
		}
		call("PATCH", c, "marketer", `{"status":"blocked"}`, 200)
		call("PATCH", c, "marketer", `{"status":"active","status_reason":"x"}`, 403)
		call("DELETE", c, "marketer", "", 403) // deleting would forget the opt-out: a new import would bring her back
		out = call("PATCH", c, "compliance", `{"status":"active","status_reason":"ticket 4411: she asked to be mailed again"}`, 200)
		if !strings.Contains(out, `"status":"active"`) {
			t.Fatalf("lift: %s", out)
		}
		call("GET", c+"/status-changes", "marketer", "", 403)
		out = call("GET", c+"/status-changes", "compliance", "", 200)
		for _, want := range []string{`"from":"active","to":"unsubscribed","by":"token:marketer-token"`,
			`"from":"unsubscribed","to":"blocked","by":"token:marketer-token"`,
			`"from":"blocked","to":"active","by":"token:compliance-token","reason":"ticket 4411: she asked to be mailed again"`} {
			if !strings.Contains(out, want) {
				t.Errorf("status changes lack %s:\n%s", want, out)
			}
		}
		if n := strings.Count(out, `"from":`); n != 3 {
			t.Errorf("%d status changes recorded, want 3 (refused ones change nothing):\n%s", n, out)
		}
		call("GET", "/api/v1/contacts/2/status-changes", "admin", "", 404)
		call("DELETE", c, "marketer", "", 204) // active again: a marketer may delete
	})
}

// TestServePersonOriginatedEntries: every entry that records what the person asked for, by
// any channel, is lifted only by compliance or admin; a marketer lifts the others.
func TestServePersonOriginatedEntries(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		tok := roleTokens(t, a)
		base, stop := startServer(t, a)
		defer stop()
		person := []string{"unsubscribe", "complaint", "request-phone", "request-email", "request-web", "request-letter",
			"request-in-person", "erasure"}
		others := []string{"hard-bounce", "national-registry", "crm", "manual"}
		for i, reason := range append(slices.Clone(person), others...) {
			body := fmt.Sprintf(`{"entries":[{"value":"p%d@example.com","reason":%q}]}`, i, reason)
			if code, out := apiCall(t, "POST", base+"/api/v1/suppressions", tok["admin"], "application/json", body); code != 201 {
				t.Fatalf("add %s: %d %s", reason, code, out)
			}
			path := fmt.Sprintf("%s/api/v1/suppressions/%d", base, i+1)
			want := 200
			if slices.Contains(person, reason) {
				want = 403
			}
			if code, out := apiCall(t, "DELETE", path, tok["marketer"], "application/json", `{"why":"cleaning up"}`); code != want {
				t.Errorf("marketer removes a %s entry: %d, want %d\n%s", reason, code, want, out)
			}
			if want == 403 {
				if code, out := apiCall(t, "DELETE", path, tok["compliance"], "application/json", `{"why":""}`); code != 422 {
					t.Errorf("compliance removes a %s entry without a reason: %d\n%s", reason, code, out)
				}
				code, out := apiCall(t, "DELETE", path, tok["compliance"], "application/json", `{"why":"recorded against the wrong person"}`)
				if code != 200 || !strings.Contains(out, `"removed_by":"token:compliance-token","removed_reason":"recorded against the wrong person"`) {
					t.Errorf("compliance removes a %s entry: %d\n%s", reason, code, out)
				}
			}
		}
	})
}

// TestServeExplainHidesEvidence: the IP address and browser a person's request came from
// stay with compliance and admin; an agent's (or marketer's) explanation has no note.
func TestServeExplainHidesEvidence(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		tok := roleTokens(t, a)
		base, stop := startServer(t, a)
		defer stop()
		req, _ := http.NewRequest("POST", base+"/stop/default", strings.NewReader(url.Values{"value": {"ann@example.com"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("User-Agent", "AnnsBrowser/7.1")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); resp.StatusCode != 200 {
			t.Fatalf("stop: %d %s", resp.StatusCode, body)
		}
		for _, tc := range []struct {
			role, path string
			evidence   bool
		}{
			{"agent", "/api/v1/check?email=ann%40example.com&explain=true", false},
			{"marketer", "/api/v1/check?email=ann%40example.com&explain=true", false},
			{"marketer", "/api/v1/suppressions", false},
			{"compliance", "/api/v1/check?email=ann%40example.com&explain=true", true},
			{"admin", "/api/v1/suppressions", true},
		} {
			code, out := apiCall(t, "GET", base+tc.path, tok[tc.role], "", "")
			if code != 200 || !strings.Contains(out, `"reason":"request-web"`) {
				t.Fatalf("%s %s: %d %s", tc.role, tc.path, code, out)
			}
			for _, ev := range []string{"127.0.0.1", "AnnsBrowser"} {
				if strings.Contains(out, ev) != tc.evidence {
					t.Errorf("%s %s: shows %s: %v, want %v\n%s", tc.role, tc.path, ev, !tc.evidence, tc.evidence, out)
				}
			}
		}
	})
}
