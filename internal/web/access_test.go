package web

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
)

// TestAgentTokenCannotListContacts: call-centre software with an agent token may check and
// record requests, never read the contact base.
func TestAgentTokenCannotListContacts(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		want(t, e.do("POST", "/api/v1/contacts", map[string]any{"email": "ann@example.com", "source": apiSource}), http.StatusCreated)
		_, agent, err := st.CreateTokenWithRole(t.Context(), e.ws, "dialer", store.RoleAgent)
		if err != nil {
			t.Fatal(err)
		}
		r := e.doAs(agent, "GET", "/api/v1/contacts", nil, "")
		want(t, r, http.StatusForbidden)
		if strings.Contains(string(r.body), "ann@example.com") {
			t.Fatalf("a refusal shows a contact: %s", r.body)
		}
		want(t, e.doAs(agent, "GET", "/api/v1/contacts/1", nil, ""), http.StatusForbidden)
		want(t, e.do("GET", "/api/v1/contacts", nil), http.StatusOK)
	})
}

// TestRouteWithoutRuleRefused: an /api/v1 route missing from routeRoles stops the server from
// being built, so that no route is served without a decision on who may call it.
func TestRouteWithoutRuleRefused(t *testing.T) {
	rt := &router{mux: http.NewServeMux(), s: &Server{}}
	rt.HandleFunc("GET /healthz2", func(http.ResponseWriter, *http.Request) {}) // not under /api/v1: no rule needed
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "GET /api/v1/secrets") || !strings.Contains(msg, "routeRoles") {
			t.Fatalf("an /api/v1 route without a rule was registered (panic %q)", msg)
		}
	}()
	rt.HandleFunc("GET /api/v1/secrets", func(http.ResponseWriter, *http.Request) {})
}

// TestServerRoutesAreInTheTable: what a server registers is what the table says, role for role.
func TestServerRoutesAreInTheTable(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		got := e.srv.APIRoutes()
		if len(got) < 20 {
			t.Fatalf("the server registered only %d /api/v1 routes: %v", len(got), got)
		}
		table := APIRoutes()
		for _, r := range got {
			i := slices.IndexFunc(table, func(x Route) bool { return x.Pattern == r.Pattern })
			if i < 0 || !slices.Equal(table[i].Roles, r.Roles) {
				t.Errorf("route %s registered with roles %v; the table has %v", r.Pattern, r.Roles, table)
			}
		}
	})
}
