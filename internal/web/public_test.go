package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
)

// TestListsPublicFlag (finding 9): a list is private unless created public or switched with
// PATCH /api/v1/lists/{id}; the flag is in every answer about the list.
func TestListsPublicFlag(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		r := e.do("POST", "/api/v1/lists", map[string]any{"name": "closed"})
		want(t, r, http.StatusCreated)
		if r.json(t)["public"] != false {
			t.Fatalf("a new list is public by default: %s", r.body)
		}
		r = e.do("POST", "/api/v1/lists", map[string]any{"name": "open", "public": true})
		want(t, r, http.StatusCreated)
		if r.json(t)["public"] != true {
			t.Fatalf("created public: %s", r.body)
		}
		id := int64(e.do("GET", "/api/v1/lists", nil).json(t)["items"].([]any)[0].(map[string]any)["id"].(float64)) // "closed" sorts first
		r = e.do("PATCH", fmt.Sprintf("/api/v1/lists/%d", id), map[string]any{"public": true})
		want(t, r, http.StatusOK)
		if got := e.do("GET", fmt.Sprintf("/api/v1/lists/%d", id), nil).json(t); got["public"] != true || got["name"] != "closed" {
			t.Fatalf("after PATCH: %v", got)
		}
		want(t, e.do("PATCH", fmt.Sprintf("/api/v1/lists/%d", id), map[string]any{"public": false}), http.StatusOK)
		if ok, err := st.HasPublicList(t.Context(), e.ws); err != nil || !ok {
			t.Fatalf("HasPublicList = %v, %v (the list \"open\" is public)", ok, err)
		}
		want(t, e.do("PATCH", fmt.Sprintf("/api/v1/lists/%d", id), map[string]any{}), http.StatusUnprocessableEntity)
		want(t, e.do("PATCH", "/api/v1/lists/99999", map[string]any{"public": true}), http.StatusNotFound)
		// Another workspace's list cannot be switched.
		other, _ := st.EnsureWorkspace(t.Context(), "other")
		if _, err := st.SetListPublic(t.Context(), other.ID, id, true); err == nil {
			t.Fatal("a list was switched from another workspace")
		}
	})
}

// TestPublicPageActionEscaped (finding 10): the subscribe page's form posts to the
// workspace's own path, whatever its name holds.
func TestPublicPageActionEscaped(t *testing.T) {
	var b bytes.Buffer
	p := newSubscribePage(signup.Form{Workspace: "../stop/default"}, "")
	if err := pages.ExecuteTemplate(&b, "subscribe", p); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), `action="/subscribe/../`) || !strings.Contains(strings.ToLower(b.String()), `action="/subscribe/..%2fstop%2fdefault"`) {
		t.Fatalf("subscribe form:\n%s", b.String())
	}
	b.Reset()
	if err := pages.ExecuteTemplate(&b, "stop", stopPage{Workspace: "../subscribe/default"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ToLower(b.String()), `action="/stop/..%2fsubscribe%2fdefault"`) {
		t.Fatalf("stop form:\n%s", b.String())
	}
}

// TestClientIP (finding 11): forwarding headers count only from a trusted proxy; the client
// is the first address, from the right, that is not a trusted proxy.
func TestClientIP(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 127.0.0.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{TrustedProxies: proxies}}
	for _, tc := range []struct {
		peer    string
		headers map[string]string
		want    string
	}{
		{"203.0.113.9:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "203.0.113.9"},
		{"127.0.0.1:5000", map[string]string{"X-Forwarded-For": "198.51.100.1"}, "198.51.100.1"},
		{"127.0.0.1:5000", map[string]string{"X-Forwarded-For": "1.2.3.4, 198.51.100.1, 10.1.1.1"}, "198.51.100.1"},
		{"127.0.0.1:5000", map[string]string{"X-Forwarded-For": "garbage"}, "127.0.0.1"},
		{"127.0.0.1:5000", map[string]string{}, "127.0.0.1"},
		{"[::1]:5000", map[string]string{"Forwarded": `for="[2001:db8::7]:4711";proto=https, for=10.0.0.2`}, "2001:db8::7"},
		{"10.2.3.4:80", map[string]string{"Forwarded": "for=192.0.2.60:1234", "X-Forwarded-For": "6.6.6.6"}, "192.0.2.60"},
	} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		for k, v := range tc.headers {
			r.Header.Set(k, v)
		}
		if got := s.clientIP(r); got != tc.want {
			t.Errorf("peer %s %v: %s, want %s", tc.peer, tc.headers, got, tc.want)
		}
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "1.2.3"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if p, _ := ParseTrustedProxies(" "); len(p) != 0 || p != nil && p[0] == (netip.Prefix{}) {
		t.Errorf("empty: %v", p)
	}
}
