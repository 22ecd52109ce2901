package web

import (
	"embed"
	"encoding/json"
	"net/http"
)

// static holds the admin UI's vendored files: htmx (htmx.org 2.0.11 from npm, its dist/htmx.min.js,
// Zero-Clause BSD, htmx-LICENSE). The version is in the file name, so the files are cached for good.
//
//go:embed static
var static embed.FS

// htmxPath is where the layout loads htmx from.
const htmxPath = "/ui/static/htmx-2.0.11.min.js"

// uiStaticRoutes serves the vendored files to anyone (they hold nothing private).
func (s *Server) uiStaticRoutes(rt *router) {
	files := http.FileServerFS(static)
	rt.Handle("GET /ui/static/{file}", http.StripPrefix("/ui", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	})))
}

// csrfHeaders is the hx-headers value of the layout's body: every htmx request carries the
// session's form token.
func csrfHeaders(token string) string {
	b, _ := json.Marshal(map[string]string{"X-CSRF-Token": token})
	return string(b)
}
