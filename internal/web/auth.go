package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/clearlist/clearlist/internal/store"
)

// tokenKey is the context key of the authenticated API token.
type tokenKey struct{}

// howToGetToken ends every 401 answer.
const howToGetToken = "send an API token as `Authorization: Bearer clt_…`; create one with `clearlist token create NAME`"

// authenticate lets a request through only with a live API token, and puts the token
// (and so its workspace) into the request context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		secret = strings.TrimSpace(secret)
		if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="clearlist"`)
			writeProblem(w, http.StatusUnauthorized, "this API needs a token: "+howToGetToken)
			return
		}
		tok, err := s.st.Authenticate(r.Context(), secret)
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="clearlist", error="invalid_token"`)
			writeProblem(w, http.StatusUnauthorized, "the API token is unknown or revoked: "+howToGetToken)
			return
		}
		if err != nil {
			s.serverError(w, r, "authenticate token", err)
			return
		}
		if tok.Role == store.RoleAgent && !agentRoutes[r.Method+" "+r.URL.Path] {
			writeProblem(w, http.StatusForbidden, "this token has the agent role: it may only check (GET /api/v1/check, /api/v1/eligibility) and record do-not-contact requests (POST /api/v1/agent/dnc, /api/v1/crm/flags)")
			return
		}
		if err := s.st.TouchToken(r.Context(), tok); err != nil {
			s.log.WarnContext(r.Context(), "record token use", "token_id", tok.ID, "err", err)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok)))
	})
}

// agentRoutes are the only routes a token with the agent role (call-centre and CRM
// software) may use.
var agentRoutes = map[string]bool{
	"GET /api/v1/check": true, "GET /api/v1/eligibility": true,
	"POST /api/v1/agent/dnc": true, "POST /api/v1/crm/flags": true,
}

// workspace returns the workspace id of the request's token. Every handler behind
// authenticate has one; the zero id matches no row, so a missing token can never widen a query.
func workspace(ctx context.Context) int64 {
	tok, _ := ctx.Value(tokenKey{}).(store.Token)
	return tok.WorkspaceID
}
