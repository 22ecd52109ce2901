package deliver

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limiter paces sends: Wait blocks until one more message may go out under key (keys are
// "relay:<name>" and "domain:<domain>"), or ctx ends. The in-process RateLimiter serves one
// process; a SharedLimiter over the store makes a limit hold across workers and processes.
type Limiter interface {
	Wait(ctx context.Context, key string) error
}

// Limit is a rate in messages per second with the burst a quiet key may save up.
type Limit struct {
	PerSecond float64 // 0 means no limit
	Burst     int     // default 1
}

// RateLimiter is the in-process Limiter (golang.org/x/time/rate), one bucket per key.
type RateLimiter struct {
	Default Limit            // for keys without their own limit
	Limits  map[string]Limit // per key, e.g. "domain:gmail.com"

	mu       sync.Mutex
	limiters map[string]*rate.Limiter
}

// Wait blocks until key may send one message.
func (l *RateLimiter) Wait(ctx context.Context, key string) error {
	lim := l.limiter(key)
	if lim == nil {
		return nil
	}
	return lim.Wait(ctx)
}

func (l *RateLimiter) limiter(key string) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if lim, ok := l.limiters[key]; ok {
		return lim
	}
	cfg, ok := l.Limits[key]
	if !ok {
		cfg = l.Default
	}
	var lim *rate.Limiter
	if cfg.PerSecond > 0 {
		lim = rate.NewLimiter(rate.Limit(cfg.PerSecond), max(cfg.Burst, 1))
	}
	if l.limiters == nil {
		l.limiters = map[string]*rate.Limiter{}
	}
	l.limiters[key] = lim // nil: unlimited, remembered so the lookup stays cheap
	return lim
}

// BucketState is a token bucket as a store keeps it: the tokens left at Updated. Tokens may
// be negative: tokens already promised to callers who are waiting for them.
type BucketState struct {
	Tokens  float64
	Updated time.Time
}

// TakeToken takes one token from the bucket: it refills the bucket for the time since
// state.Updated (ratePerSec, at most burst tokens), takes the token, and says how long the
// caller must wait before using it (0: at once). A zero state is a full bucket. A clock that
// went backwards (another process's) refills nothing. It is pure, so a store can run it
// inside the transaction that reads and writes the state.
func TakeToken(state BucketState, now time.Time, ratePerSec float64, burst int) (BucketState, time.Duration) {
	if ratePerSec <= 0 {
		return state, 0
	}
	burst = max(burst, 1)
	tokens := state.Tokens
	if state.Updated.IsZero() {
		tokens = float64(burst)
	} else if elapsed := now.Sub(state.Updated); elapsed > 0 {
		tokens = math.Min(float64(burst), tokens+elapsed.Seconds()*ratePerSec)
	}
	updated := now
	if now.Before(state.Updated) {
		updated = state.Updated
	}
	tokens--
	var wait time.Duration
	if tokens < 0 {
		wait = time.Duration(math.Ceil(-tokens / ratePerSec * float64(time.Second)))
	}
	return BucketState{Tokens: tokens, Updated: updated}, wait
}

// BucketStore keeps token buckets where every process sees them (the store). UpdateBucket
// must run update on the key's current state (zero when absent) and save its result
// atomically, e.g. SELECT … FOR UPDATE then UPDATE in one transaction.
type BucketStore interface {
	UpdateBucket(ctx context.Context, key string, update func(BucketState) BucketState) error
}

// SharedLimiter is a Limiter whose buckets live in a BucketStore, so that a rate holds across
// workers and processes (TakeToken in the store's transaction, then a sleep here).
type SharedLimiter struct {
	Store   BucketStore
	Default Limit
	Limits  map[string]Limit
	Now     func() time.Time // default time.Now
}

// Wait takes a token from the shared bucket and sleeps until it is due.
func (l *SharedLimiter) Wait(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err // take no token for a caller that has gone
	}
	cfg, ok := l.Limits[key]
	if !ok {
		cfg = l.Default
	}
	if cfg.PerSecond <= 0 {
		return nil
	}
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	var wait time.Duration
	err := l.Store.UpdateBucket(ctx, key, func(s BucketState) BucketState {
		s, wait = TakeToken(s, now(), cfg.PerSecond, cfg.Burst)
		return s
	})
	if err != nil || wait <= 0 {
		return err
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
