package web

import (
	"net/http"

	"github.com/clearlist/clearlist/internal/access"
)

// MetricsAccess says who may read /metrics. The metrics name workspaces by id and give the
// size of each do-not-contact list, so they are not for strangers.
type MetricsAccess string

// The ways /metrics can be served.
const (
	MetricsToken  MetricsAccess = "token"  // only with an admin API token (the default)
	MetricsPublic MetricsAccess = "public" // to anyone who can reach the server
	MetricsOff    MetricsAccess = "off"    // not at all
)

// metricsHandler serves /metrics as Config.Metrics allows; an unknown value is taken as
// MetricsToken.
func (s *Server) metricsHandler() http.Handler {
	h := s.metrics.handler()
	switch s.cfg.Metrics {
	case MetricsPublic:
		return h
	case MetricsOff:
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			writeProblem(w, http.StatusNotFound, "metrics are off on this server; start it with `serve --metrics token` to let admin tokens read them")
		})
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := s.bearer(r)
		tok := b.tok
		if !b.authed() {
			w.Header().Set("WWW-Authenticate", `Bearer realm="clearlist"`)
			writeProblem(w, http.StatusUnauthorized, "/metrics needs an API token with the admin role: "+howToGetToken)
			return
		}
		if tok.Role != access.RoleAdmin {
			writeProblem(w, http.StatusForbidden, "/metrics needs an API token with the admin role; this one has the "+tok.Role+" role")
			return
		}
		h.ServeHTTP(w, r)
	})
}
