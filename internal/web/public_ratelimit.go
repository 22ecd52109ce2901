package web

import (
	"net/http"
	"sync"
	"time"
)

// ipLimiter is a token bucket per client IP for the public POSTs (golang.org/x/time/rate is
// not a dependency yet; this is all they need). Idle buckets are dropped.
type ipLimiter struct {
	mu      sync.Mutex
	rate    float64 // tokens per second
	burst   float64
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// defaultPublicRate is the public POST allowance per IP and minute when Config leaves it 0.
const defaultPublicRate = 30

func newIPLimiter(perMinute int) *ipLimiter {
	if perMinute <= 0 {
		perMinute = defaultPublicRate
	}
	return &ipLimiter{rate: float64(perMinute) / 60, burst: float64(perMinute), buckets: map[string]*bucket{}}
}

func (l *ipLimiter) allow(ip string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.last).Seconds()*l.rate >= l.burst {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b, ok := l.buckets[ip]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[ip] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.last).Seconds()*l.rate)
	b.last = now
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// limit lets a request through if its client (as clientIP tells it) has a token left.
func (l *ipLimiter) limit(clientIP func(*http.Request) string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !l.allow(clientIP(r), time.Now()) {
			w.Header().Set("Retry-After", "60")
			http.Error(w, "too many requests from your address; wait a minute and try again", http.StatusTooManyRequests)
			return
		}
		next(w, r)
	}
}
