package web

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// countingTokens is the real token service, counting how often a secret is authenticated.
type countingTokens struct {
	svc *access.Service
	n   atomic.Int64
}

func (c *countingTokens) Authenticate(ctx context.Context, secret string) (access.Token, error) {
	c.n.Add(1)
	return c.svc.Authenticate(ctx, secret)
}

// TestTokenLookedUpOnce: admission and authentication share one token lookup per request,
// for API routes and /metrics alike, and the metrics still label requests by their route.
func TestTokenLookedUpOnce(t *testing.T) {
	st := storetest.OpenSQLite(t)
	tokens := &countingTokens{svc: access.New(st)}
	e := newEnv(t, st, func(c *Config) { c.Tokens = tokens })
	for _, path := range []string{"/api/v1/lists", "/api/v1/contacts/1", "/metrics"} {
		before := tokens.n.Load()
		r := e.doAs(e.token, "GET", path, nil, "")
		if r.status == http.StatusUnauthorized || r.status >= 500 {
			t.Fatalf("GET %s: %d %s", path, r.status, short(r.body))
		}
		if n := tokens.n.Load() - before; n != 1 {
			t.Errorf("GET %s looked the token up %d times; want 1", path, n)
		}
	}
	r := e.doAs("clt_unknown", "GET", "/api/v1/lists", nil, "")
	want(t, r, http.StatusUnauthorized)
	r = e.doAs(e.token, "GET", "/metrics", nil, "")
	if !strings.Contains(string(r.body), `http_requests_total{code="401",method="GET",route="/api/v1/lists"} 1`) {
		t.Error("the refused request is not labelled by its route")
	}
}
