package web

import (
	"context"
	"net/http"
	"slices"
	"strings"
)

// OriginPolicy says which web origins may call a workspace's JSON sign-up API from a
// browser (signup.Service, from the workspace's public.cors_origins setting).
type OriginPolicy interface {
	AllowedOrigins(ctx context.Context, workspace string) ([]string, error)
}

// allowedOrigin reports whether the request's Origin is one the workspace allows.
func (s *Server) allowedOrigin(r *http.Request) bool {
	origin := strings.ToLower(r.Header.Get("Origin"))
	op, ok := s.cfg.DOI.(OriginPolicy)
	if origin == "" || !ok {
		return false
	}
	allowed, err := op.AllowedOrigins(r.Context(), r.PathValue("workspace"))
	if err != nil {
		s.log.ErrorContext(r.Context(), "read allowed origins", "workspace", r.PathValue("workspace"), "err", err)
		return false
	}
	return slices.Contains(allowed, origin)
}

// corsOrProtect lets a browser post from an origin the workspace allows through (with the
// CORS headers its page needs to read the answer); every other cross-origin browser post
// meets cop, the cross-origin protection of the HTML forms.
func (s *Server) corsOrProtect(cop *http.CrossOriginProtection, next http.HandlerFunc) http.Handler {
	protected := cop.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Origin")
		if s.allowedOrigin(r) {
			w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
			next(w, r)
			return
		}
		protected.ServeHTTP(w, r)
	})
}

// subscribePreflight answers a browser's CORS preflight for the JSON sign-up: allowed
// origins may POST JSON; others get no CORS headers (the browser then refuses).
func (s *Server) subscribePreflight(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	if s.allowedOrigin(r) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		h.Set("Access-Control-Allow-Methods", "POST")
		h.Set("Access-Control-Allow-Headers", "Content-Type")
		h.Set("Access-Control-Max-Age", "600")
	}
	w.WriteHeader(http.StatusNoContent)
}
