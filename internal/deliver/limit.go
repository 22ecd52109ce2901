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
	return TakeTokens(state, now, ratePerSec, float64(max(burst, 1)), 1)
}

// TakeTokens is TakeToken for n tokens at once (a campaign's claimed batch); a negative n
// gives tokens back (a batch that claimed fewer rows than it paid for), never above burst.
func TakeTokens(state BucketState, now time.Time, ratePerSec, burst float64, n int) (BucketState, time.Duration) {
	if ratePerSec <= 0 {
		return state, 0
	}
	burst = max(burst, 1)
	tokens := state.Tokens
	if state.Updated.IsZero() {
		tokens = burst
	} else if elapsed := now.Sub(state.Updated); elapsed > 0 {
		tokens = math.Min(burst, tokens+elapsed.Seconds()*ratePerSec)
	}
	updated := now
	if now.Before(state.Updated) {
		updated = state.Updated
	}
	tokens = math.Min(burst, tokens-float64(n))
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
//
// A round trip to the store per message caps the rate at the round trips the store allows
// one after another under the bucket's lock; so the limiter takes the tokens of about
// ChunkTime at once (each with the time it is due, as the shared bucket promised it) and
// hands them out here. A token not used within ChunkTime of its due time is dropped rather
// than used late, so that saved tokens never make a burst; the rate can only fall short.
type SharedLimiter struct {
	Store   BucketStore
	Default Limit
	Limits  map[string]Limit
	Now     func() time.Time // default time.Now
	// ChunkTime is how much of a key's rate one store round trip takes (default 50 ms' worth;
	// at least one token). Negative: one token per round trip.
	ChunkTime time.Duration

	mu    sync.Mutex
	local map[string]*sharedKey
}

// sharedKey is the tokens of one key this process took from the store and has not used.
type sharedKey struct {
	mu  sync.Mutex // one store round trip at a time per key and process
	due []time.Time
}

// Wait takes a token of key, from those this process holds or from the shared bucket, and
// sleeps until it is due.
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
	chunk := l.ChunkTime
	if chunk == 0 {
		chunk = 50 * time.Millisecond
	}
	n := 1
	if chunk > 0 {
		n = max(1, int(cfg.PerSecond*chunk.Seconds()))
	}
	k := l.key(key)
	k.mu.Lock()
	t := now()
	for len(k.due) > 0 && k.due[0].Add(max(chunk, 0)).Before(t) {
		k.due = k.due[1:] // too late to use without a burst
	}
	if len(k.due) == 0 {
		err := l.Store.UpdateBucket(ctx, key, func(s BucketState) BucketState {
			k.due = k.due[:0]
			at := now()
			for range n {
				var wait time.Duration
				s, wait = TakeToken(s, at, cfg.PerSecond, cfg.Burst)
				k.due = append(k.due, at.Add(wait))
			}
			return s
		})
		if err != nil {
			k.due = k.due[:0]
			k.mu.Unlock()
			return err
		}
	}
	due := k.due[0]
	k.due = k.due[1:]
	k.mu.Unlock()
	wait := due.Sub(now())
	if wait <= 0 {
		return nil
	}
	tm := time.NewTimer(wait)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (l *SharedLimiter) key(key string) *sharedKey {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.local == nil {
		l.local = map[string]*sharedKey{}
	}
	k, ok := l.local[key]
	if !ok {
		k = &sharedKey{}
		l.local[key] = k
	}
	return k
}
