package web

import (
	"context"
	"encoding/json"
	"net/http"
	"time"
)

// health answers whether the server can reach its database.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if s.cfg.Health == nil {
		writeJSONStatus(w)
		return
	}
	if err := s.cfg.Health(ctx); err != nil {
		s.log.ErrorContext(r.Context(), "health check: database unreachable", "err", err)
		writeProblem(w, http.StatusServiceUnavailable, "the database does not answer; check that it is running and that --db / CLEARLIST_DB points at it")
		return
	}
	writeJSONStatus(w)
}

// writeJSONStatus answers that the server is healthy.
func writeJSONStatus(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(map[string]string{"status": "ok"})
}
