package verify

import (
	"context"
	"sync"
	"time"
)

// keyLimiter bounds work per key (a recipient domain): at most conc at a
// time, and starts at rate per second with bursts of burst (a token bucket).
type keyLimiter struct {
	conc  int
	rate  float64
	burst float64
	now   func() time.Time

	mu   sync.Mutex
	keys map[string]*keyState
}

type keyState struct {
	sem    chan struct{}
	tokens float64
	last   time.Time
	users  int
}

func newKeyLimiter(conc int, rate float64, burst int) *keyLimiter {
	return &keyLimiter{conc: conc, rate: rate, burst: float64(burst), now: time.Now, keys: map[string]*keyState{}}
}

// acquire waits for a slot and a token for key; release must be called once
// the work is done.
func (l *keyLimiter) acquire(ctx context.Context, key string) (release func(), err error) {
	l.mu.Lock()
	st := l.keys[key]
	if st == nil {
		st = &keyState{sem: make(chan struct{}, l.conc), tokens: l.burst, last: l.now()}
		l.keys[key] = st
	}
	st.users++
	l.mu.Unlock()
	release = func() {
		l.mu.Lock()
		st.users--
		if st.users == 0 && l.refill(st) >= l.burst {
			delete(l.keys, key) // idle and full: forget the domain
		}
		l.mu.Unlock()
	}
	select {
	case st.sem <- struct{}{}:
	case <-ctx.Done():
		release()
		return nil, ctx.Err()
	}
	slot := release
	release = func() { <-st.sem; slot() }
	for {
		l.mu.Lock()
		tokens := l.refill(st)
		if tokens >= 1 {
			st.tokens--
			l.mu.Unlock()
			return release, nil
		}
		wait := time.Duration((1 - tokens) / l.rate * float64(time.Second))
		l.mu.Unlock()
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			release()
			return nil, ctx.Err()
		}
	}
}

// refill adds the tokens earned since the last call; l.mu must be held.
func (l *keyLimiter) refill(st *keyState) float64 {
	now := l.now()
	st.tokens = min(l.burst, st.tokens+now.Sub(st.last).Seconds()*l.rate)
	st.last = now
	return st.tokens
}
