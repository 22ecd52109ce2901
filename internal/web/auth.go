package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/errs"
)

// Tokens authenticates API tokens (access.Service, which caches the answers for a second).
type Tokens interface {
	Authenticate(ctx context.Context, secret string) (access.Token, error)
}

// tokenKey is the context key of the authenticated API token.
type tokenKey struct{}

// howToGetToken ends every 401 answer.
const howToGetToken = "send an API token as `Authorization: Bearer clt_…`; create one with `clearlist token create NAME --role ROLE`"

// authenticate lets a request through only with a live API token of one of the roles
// allowed (from routeRoles), and puts the token (and so its workspace) into the request context.
// The token was looked up once, by admit, for the whole request.
func (s *Server) authenticate(allowed []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := s.bearer(r)
		if !b.sent && s.sessionAPI(w, r, allowed, next) {
			return // a signed-in browser, with the same route table (see sessionAPI)
		}
		if !b.sent {
			w.Header().Set("WWW-Authenticate", `Bearer realm="clearlist"`)
			writeProblem(w, http.StatusUnauthorized, "this API needs a token: "+howToGetToken)
			return
		}
		if errors.Is(b.err, errs.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="clearlist", error="invalid_token"`)
			writeProblem(w, http.StatusUnauthorized, "the API token is unknown or revoked: "+howToGetToken)
			return
		}
		if b.err != nil {
			s.serverError(w, r, "authenticate token", b.err)
			return
		}
		tok := b.tok
		if !slices.Contains(allowed, tok.Role) {
			writeProblem(w, http.StatusForbidden, fmt.Sprintf("this token has the %s role; %s %s needs a token with the role %s (create one with `clearlist token create NAME --role ROLE`)",
				tok.Role, r.Method, r.URL.Path, strings.Join(allowed, ", ")))
			return
		}
		ctx := audit.WithActor(context.WithValue(r.Context(), tokenKey{}, tok), auditActor(w, r, tok))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// workspace returns the workspace id of the request's token. Every handler behind
// authenticate has one; the zero id matches no row, so a missing token can never widen a query.
func workspace(ctx context.Context) int64 {
	tok, _ := ctx.Value(tokenKey{}).(access.Token)
	return tok.WorkspaceID
}

// bearerKey is the context key of the request's bearer lookup (a *bearerResult), made once
// by admit.
type bearerKey struct{}

// bearerResult is what the request's Authorization header came to.
type bearerResult struct {
	sent bool         // a bearer secret was sent
	tok  access.Token // the live token, when err is nil
	err  error        // wraps errs.ErrNotFound for an unknown or revoked token
}

// authed reports whether the request carries a live token.
func (b bearerResult) authed() bool { return b.sent && b.err == nil }

// bearer returns the request's bearer lookup: the one admit made, or a new one.
func (s *Server) bearer(r *http.Request) bearerResult {
	if b, ok := r.Context().Value(bearerKey{}).(*bearerResult); ok {
		return *b
	}
	return s.lookupBearer(r)
}

// lookupBearer reads the Authorization header and authenticates its secret. Without a token
// service every token is unknown.
func (s *Server) lookupBearer(r *http.Request) bearerResult {
	scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	secret = strings.TrimSpace(secret)
	if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
		return bearerResult{}
	}
	if s.cfg.Tokens == nil {
		return bearerResult{sent: true, err: fmt.Errorf("no token service: %w", errs.ErrNotFound)}
	}
	tok, err := s.cfg.Tokens.Authenticate(r.Context(), secret)
	return bearerResult{sent: true, tok: tok, err: err}
}
