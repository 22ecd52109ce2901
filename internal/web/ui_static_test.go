package web

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
)

// TestUIStatic: the layout loads the vendored htmx from this server and gives every htmx
// request the session's form token; the file is served, cached for good, to anyone; other
// names are 404.
func TestUIStatic(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newUIFixture(t, st)
		id := f.login("owner@example.com", "")
		code, b := f.page("/ui/", id)
		if code != 200 {
			t.Fatalf("dashboard: %d", code)
		}
		mustContain(t, "dashboard", b, `<script src="/ui/static/htmx-2.0.11.min.js" defer></script>`, `hx-headers="{&#34;X-CSRF-Token&#34;:&#34;`)
		r := f.do("GET", htmxPath, "", nil, nil)
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Type"), "javascript") ||
			!strings.Contains(r.Header.Get("Cache-Control"), "immutable") || len(body) < 40000 {
			t.Fatalf("htmx: %d %v %d bytes", r.StatusCode, r.Header, len(body))
		}
		for _, p := range []string{"/ui/static/nothing.js", "/ui/static/../ui_static.go"} {
			if r := f.do("GET", p, "", nil, nil); r.StatusCode == http.StatusOK {
				t.Errorf("%s: %d", p, r.StatusCode)
			}
		}
	})
}
