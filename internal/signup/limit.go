package signup

import (
	"slices"
	"sync"
	"time"
)

// Confirmation mails to one address: at most one per recipientGap and recipientDaily per day.
const (
	recipientGap   = 15 * time.Minute
	recipientDaily = 3
)

// recipients returns the per-address limiter, creating it on first use.
func (s *Service) recipients() *recipientLimiter {
	s.once.Do(func() { s.rcpt = &recipientLimiter{sent: map[recipientKey][]time.Time{}} })
	return s.rcpt
}

type recipientKey struct {
	ws      int64
	address string
}

// recipientLimiter bounds the confirmation mails one address gets, whoever asks for them.
// It is per process: two servers behind one balancer each allow the limit.
type recipientLimiter struct {
	mu    sync.Mutex
	sent  map[recipientKey][]time.Time
	swept time.Time
}

// reserve takes one mail of the address's allowance at now, or reports that none is left.
func (l *recipientLimiter) reserve(ws int64, address string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Hour {
		for k, ts := range l.sent {
			if now.Sub(ts[len(ts)-1]) >= 24*time.Hour {
				delete(l.sent, k)
			}
		}
		l.swept = now
	}
	k := recipientKey{ws, address}
	recent := slices.DeleteFunc(l.sent[k], func(t time.Time) bool { return now.Sub(t) >= 24*time.Hour })
	if len(recent) >= recipientDaily || len(recent) > 0 && now.Sub(recent[len(recent)-1]) < recipientGap {
		l.sent[k] = recent
		return false
	}
	l.sent[k] = append(recent, now)
	return true
}

// release gives back a mail reserved at the time at that was not sent.
func (l *recipientLimiter) release(ws int64, address string, at time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	k := recipientKey{ws, address}
	if i := slices.Index(l.sent[k], at); i >= 0 {
		l.sent[k] = slices.Delete(l.sent[k], i, i+1)
	}
}
