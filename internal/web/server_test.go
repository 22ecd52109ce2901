package web

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

func TestAuth(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		_, revoked, err := st.CreateToken(t.Context(), e.ws, "old")
		if err != nil {
			t.Fatal(err)
		}
		toks, _ := st.Tokens(t.Context(), e.ws)
		if err := st.RevokeToken(t.Context(), e.ws, toks[len(toks)-1].ID); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, header string
			status       int
		}{
			{"missing", "", http.StatusUnauthorized},
			{"not bearer", "Basic dXNlcjpwYXNz", http.StatusUnauthorized},
			{"empty bearer", "Bearer ", http.StatusUnauthorized},
			{"unknown", "Bearer clt_0000000000000000000000000000000000000000000000", http.StatusUnauthorized},
			{"no prefix", "Bearer nope", http.StatusUnauthorized},
			{"revoked", "Bearer " + revoked, http.StatusUnauthorized},
			{"valid", "Bearer " + e.token, http.StatusOK},
			{"valid lower-case scheme", "bearer " + e.token, http.StatusOK},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req, _ := http.NewRequestWithContext(t.Context(), "GET", e.http.URL+"/api/v1/contacts", nil)
				if tt.header != "" {
					req.Header.Set("Authorization", tt.header)
				}
				res, err := e.http.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer res.Body.Close()
				if res.StatusCode != tt.status {
					t.Fatalf("status %d, want %d", res.StatusCode, tt.status)
				}
				if tt.status != http.StatusUnauthorized {
					return
				}
				if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate = %q", res.Header.Get("WWW-Authenticate"))
				}
				var p struct{ Detail string }
				json.NewDecoder(res.Body).Decode(&p)
				if !strings.Contains(p.Detail, "clearlist token create NAME --role ROLE") {
					t.Errorf("401 detail does not say how to get a token: %q", p.Detail)
				}
			})
		}
		toks, _ = st.Tokens(t.Context(), e.ws)
		if toks[0].LastUsedAt == nil {
			t.Error("the used token has no last_used_at")
		}
	})
}

func TestHealthz(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st)
	r := e.doAs("", "GET", "/healthz", nil, "")
	want(t, r, http.StatusOK)
	if got := r.json(t)["status"]; got != "ok" {
		t.Errorf("status = %v", got)
	}
	st.Close()
	r = e.doAs("", "GET", "/healthz", nil, "")
	want(t, r, http.StatusServiceUnavailable)
	if !strings.Contains(string(r.body), "database") {
		t.Errorf("503 body does not name the database: %s", short(r.body))
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	e.do("GET", "/api/v1/contacts/1", nil)
	e.doAs("", "GET", "/no/such/path", nil, "")
	r := e.doAs(e.token, "GET", "/metrics", nil, "")
	want(t, r, http.StatusOK)
	body := string(r.body)
	for _, s := range []string{
		`http_requests_total{code="404",method="GET",route="/api/v1/contacts/{id}"} 1`,
		`http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`http_request_duration_seconds_bucket{route="/api/v1/contacts/{id}"`,
		"go_goroutines",
		"process_",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("metrics lack %s", s)
		}
	}
}

func TestOpenAPI(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	r := e.doAs("", "GET", "/api/openapi.json", nil, "")
	want(t, r, http.StatusOK)
	var doc struct {
		OpenAPI    string
		Paths      map[string]map[string]json.RawMessage
		Components struct {
			SecuritySchemes map[string]struct{ Type, Scheme string }
		}
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	for path, methods := range map[string][]string{
		"/api/v1/contacts":            {"get", "post"},
		"/api/v1/contacts/{id}":       {"get", "patch", "delete"},
		"/api/v1/lists":               {"get", "post"},
		"/api/v1/sources":             {"get", "post"},
		"/api/v1/source-types":        {"get"},
		"/api/v1/imports":             {"post"},
		"/api/v1/imports/{id}/errors": {"get"},
	} {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("openapi lacks %s %s", m, path)
			}
		}
	}
	if s := doc.Components.SecuritySchemes["bearer"]; s.Type != "http" || s.Scheme != "bearer" {
		t.Errorf("bearer scheme = %+v", s)
	}
}

func TestPanicBecomes500(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	e.imp.panic = true
	r := e.doAs(e.token, "POST", "/api/v1/imports?source_type=api", "email\na@example.com\n", "text/csv")
	want(t, r, http.StatusInternalServerError)
	if strings.Contains(string(r.body), "exploded") {
		t.Errorf("the panic value reached the client: %s", short(r.body))
	}
	if left, _ := os.ReadDir(filepath.Join(e.dataDir, "uploads")); len(left) != 0 {
		t.Errorf("the failed upload left %d files behind", len(left))
	}
}

func TestServeGracefulShutdown(t *testing.T) {
	st := storetest.OpenSQLite(t)
	e := newEnv(t, st)
	e.imp.gate, e.imp.start = make(chan struct{}), make(chan struct{})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- e.srv.Serve(ctx, ln) }()

	got := make(chan int, 1)
	go func() {
		req, _ := http.NewRequest("POST", "http://"+ln.Addr().String()+"/api/v1/imports?source_type=api", strings.NewReader("email\na@example.com\n"))
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "text/csv")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Error(err)
			got <- 0
			return
		}
		res.Body.Close()
		got <- res.StatusCode
	}()
	<-e.imp.start // the request is in the handler
	cancel()
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	case <-time.After(200 * time.Millisecond):
	}
	close(e.imp.gate)
	if status := <-got; status != http.StatusAccepted {
		t.Errorf("in-flight request got %d, want 202", status)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the request finished")
	}
}

// TestRevokedTokenStopsWithinTTL: a token revoked by another process (the CLI) stops working
// once the cache's time for it has run out; until then the cached answer spares the lookup.
func TestRevokedTokenStopsWithinTTL(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		tok, secret, err := st.CreateToken(t.Context(), e.ws, "soon-revoked")
		if err != nil {
			t.Fatal(err)
		}
		if r := e.doAs(secret, "GET", "/api/v1/lists", nil, ""); r.status != http.StatusOK {
			t.Fatalf("fresh token: %d", r.status)
		}
		if err := st.RevokeToken(t.Context(), e.ws, tok.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(access.TokenTTL + 50*time.Millisecond)
		if r := e.doAs(secret, "GET", "/api/v1/lists", nil, ""); r.status != http.StatusUnauthorized {
			t.Fatalf("revoked token still accepted after %s: %d", access.TokenTTL, r.status)
		}
		list, _ := st.Tokens(t.Context(), e.ws)
		for _, l := range list {
			if l.ID == tok.ID && l.LastUsedAt == nil {
				t.Error("the token's use was not recorded")
			}
		}
	})
}
