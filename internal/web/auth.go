package web

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
)

// tokenKey is the context key of the authenticated API token.
type tokenKey struct{}

// howToGetToken ends every 401 answer.
const howToGetToken = "send an API token as `Authorization: Bearer clt_…`; create one with `clearlist token create NAME --role ROLE`"

// authenticate lets a request through only with a live API token of one of the roles
// allowed (from routeRoles), and puts the token (and so its workspace) into the request context.
func (s *Server) authenticate(allowed []string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, secret, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		secret = strings.TrimSpace(secret)
		if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="clearlist"`)
			writeProblem(w, http.StatusUnauthorized, "this API needs a token: "+howToGetToken)
			return
		}
		tok, err := s.tokens.authenticate(r.Context(), s.st, secret)
		if errors.Is(err, store.ErrNotFound) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="clearlist", error="invalid_token"`)
			writeProblem(w, http.StatusUnauthorized, "the API token is unknown or revoked: "+howToGetToken)
			return
		}
		if err != nil {
			s.serverError(w, r, "authenticate token", err)
			return
		}
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
	tok, _ := ctx.Value(tokenKey{}).(store.Token)
	return tok.WorkspaceID
}

// tokenTTL is how long a verified token is trusted without reading it again: a token revoked
// by another process (`clearlist token revoke`) stops working within this time.
const tokenTTL = time.Second

// tokenCache spares the token lookup on every request of a busy client (a dialer checking
// numbers thousands of times a second). Entries are keyed by the secret's SHA-256, so no
// secret is kept, and are read again after tokenTTL — by one request, while the others go on
// with the entry they have (for at most tokenStale), so that a slow database never holds up
// every request at once.
type tokenCache struct {
	mu sync.RWMutex
	m  map[[32]byte]*cachedToken
}

type cachedToken struct {
	tok        store.Token
	at         time.Time
	refreshing atomic.Bool
}

// tokenStale bounds how old an entry may be while another request reads it again.
const tokenStale = 5 * tokenTTL

// maxCachedTokens bounds the cache against a flood of made-up tokens (only valid ones are
// cached, but a client could hold many).
const maxCachedTokens = 10000

func (c *tokenCache) authenticate(ctx context.Context, st *store.Store, secret string) (store.Token, error) {
	key := sha256.Sum256([]byte(secret))
	now := time.Now()
	c.mu.RLock()
	e := c.m[key]
	c.mu.RUnlock()
	if e != nil {
		age := now.Sub(e.at)
		if age < tokenTTL || (age < tokenStale && !e.refreshing.CompareAndSwap(false, true)) {
			return e.tok, nil
		}
		defer e.refreshing.Store(false)
	}
	tok, err := st.Authenticate(ctx, secret)
	if err == nil {
		// Record the use, at most once a minute (TouchToken skips recent ones); only the one
		// request that reads the token again does this.
		if terr := st.TouchToken(ctx, tok); terr != nil {
			slog.WarnContext(ctx, "record token use", "token_id", tok.ID, "err", terr)
		} else if tok.LastUsedAt == nil || now.Sub(*tok.LastUsedAt) >= time.Minute {
			tok.LastUsedAt = &now
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		delete(c.m, key)
		return tok, err
	}
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = map[[32]byte]*cachedToken{}
	}
	fresh := &cachedToken{tok: tok, at: now}
	c.m[key] = fresh
	return fresh.tok, nil
}
