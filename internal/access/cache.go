package access

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// TokenTTL is how long a verified token is trusted without reading it again: a token revoked
// by another process (`clearlist token revoke`) stops working within this time.
const TokenTTL = time.Second

// tokenStale bounds how old an entry may be while another request reads it again.
const tokenStale = 5 * TokenTTL

// maxCachedTokens bounds the cache against a flood of made-up tokens (only valid ones are
// cached, but a client could hold many).
const maxCachedTokens = 10000

// tokenCache spares the token lookup on every request of a busy client (a dialer checking
// numbers thousands of times a second). Entries are keyed by the secret's SHA-256, so no
// secret is kept, and are read again after TokenTTL — by one request, while the others go on
// with the entry they have (for at most tokenStale), so that a slow database never holds up
// every request at once.
type tokenCache struct {
	mu sync.RWMutex
	m  map[[32]byte]*cachedToken
}

type cachedToken struct {
	tok        Token
	at         time.Time
	refreshing atomic.Bool
}

func (c *tokenCache) authenticate(ctx context.Context, st Store, secret string) (Token, error) {
	key := sha256.Sum256([]byte(secret))
	now := time.Now()
	c.mu.RLock()
	e := c.m[key]
	c.mu.RUnlock()
	if e != nil {
		age := now.Sub(e.at)
		if age < TokenTTL || (age < tokenStale && !e.refreshing.CompareAndSwap(false, true)) {
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

// forget drops the cached entries of a token revoked through this process, so that it stops
// working here at once.
func (c *tokenCache) forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.tok.ID == id {
			delete(c.m, k)
		}
	}
}
