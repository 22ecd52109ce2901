package web

import "net/http"

// secureHeaders sets the headers every answer carries unless its handler says otherwise:
// no content-type sniffing, no caching (API answers hold contact data and are per token),
// no framing and no referrer. The public HTML pages set their own, stricter policy (see
// render); only the subscribe page of the embeddable snippet may be framed, by the
// workspace's own sites.
func (s *Server) secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-store")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "frame-ancestors 'none'")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}
