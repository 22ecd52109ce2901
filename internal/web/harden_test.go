package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestMetricsAccess: /metrics names workspaces and list sizes, so by default only an admin
// token reads it; --metrics public opens it, --metrics off closes it.
func TestMetricsAccess(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st)
	token := func(role string) string {
		_, secret, err := st.CreateTokenWithRole(t.Context(), e.ws, role, role)
		if err != nil {
			t.Fatal(err)
		}
		return secret
	}
	for _, tc := range []struct {
		who, token string
		status     int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"a made-up token", "clt_madeup", http.StatusUnauthorized},
		{"an agent token", token(store.RoleAgent), http.StatusForbidden},
		{"a marketer token", token(store.RoleMarketer), http.StatusForbidden},
		{"a compliance token", token(store.RoleCompliance), http.StatusForbidden},
		{"an admin token", e.token, http.StatusOK},
	} {
		r := e.doAs(tc.token, "GET", "/metrics", nil, "")
		if r.status != tc.status {
			t.Errorf("%s: /metrics answered %d, want %d: %s", tc.who, r.status, tc.status, short(r.body))
		}
		if tc.status != http.StatusOK && strings.Contains(string(r.body), "http_requests_total") {
			t.Errorf("%s: the refusal carries metrics", tc.who)
		}
	}

	public := newEnv(t, st, func(c *Config) { c.Metrics = MetricsPublic })
	want(t, public.doAs("", "GET", "/metrics", nil, ""), http.StatusOK)
	off := newEnv(t, st, func(c *Config) { c.Metrics = MetricsOff })
	r := off.doAs(off.token, "GET", "/metrics", nil, "")
	want(t, r, http.StatusNotFound)
	if strings.Contains(string(r.body), "http_requests_total") {
		t.Error("--metrics off still serves metrics")
	}
}

// TestSecurityHeaders: API answers, successful or not, are never sniffed, cached or framed.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	for _, tc := range []struct {
		token, method, path string
		status              int
	}{
		{e.token, "GET", "/api/v1/contacts", http.StatusOK},
		{e.token, "POST", "/api/v1/lists", http.StatusCreated},
		{e.token, "GET", "/api/v1/contacts/999", http.StatusNotFound},
		{"", "GET", "/api/v1/contacts", http.StatusUnauthorized},
		{"", "GET", "/api/openapi.json", http.StatusOK},
		{e.token, "GET", "/metrics", http.StatusOK},
		{"", "GET", "/healthz", http.StatusOK},
		{"", "GET", "/no/such/path", http.StatusNotFound},
	} {
		var body any
		if tc.method == "POST" {
			body = map[string]any{"name": "news"}
		}
		r := e.doAs(tc.token, tc.method, tc.path, body, "")
		if r.status != tc.status {
			t.Errorf("%s %s: %d, want %d: %s", tc.method, tc.path, r.status, tc.status, short(r.body))
		}
		for h, v := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Cache-Control":          "no-store",
			"X-Frame-Options":        "DENY",
		} {
			if got := r.header.Get(h); got != v {
				t.Errorf("%s %s: %s = %q, want %q", tc.method, tc.path, h, got, v)
			}
		}
		if !strings.Contains(r.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s %s: no frame-ancestors in the Content-Security-Policy", tc.method, tc.path)
		}
	}
}
