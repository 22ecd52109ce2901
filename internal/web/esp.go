package web

import (
	"net/http"
	"time"
)

// hookRoutes serves the mail providers' event webhooks, POST /hooks/{provider}/{workspace}
// (esp.Handler, which checks each provider's signature or credentials). They take no token:
// like the other public routes they are admitted under MaxPublicRequests with the
// ClientTimeout body deadline, their visitors are the audit actor, and a client whose
// requests keep failing (bad signatures, made-up workspaces) is refused before any work
// once it has spent PublicRate failures a minute. Good requests are not rate-limited: a
// provider sends bursts from a few addresses and retries whatever is refused.
func (s *Server) hookRoutes(rt *router) {
	if s.cfg.Hooks == nil {
		return
	}
	bad := newIPLimiter(s.cfg.PublicRate)
	h := s.withPublicActor(s.cfg.Hooks)
	rt.HandleFunc("POST /hooks/{provider}/{workspace}", func(w http.ResponseWriter, r *http.Request) {
		ip := s.clientIP(r)
		if bad.exhausted(ip, time.Now()) {
			tooMany(w)
			return
		}
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		if sw.status >= 400 && sw.status < 500 {
			bad.allow(ip, time.Now())
		}
	})
}
