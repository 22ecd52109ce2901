package user

import (
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Throttle is the failed-login count of one key (an account or a client address) as stored.
type Throttle struct {
	Key         string
	Failures    int
	LastFailure time.Time
	LockedUntil time.Time
}

// Policy says how failed logins lock an account or an address out. The counts and lockouts are
// kept in the database, so that every serve process sharing it holds the same lockout.
type Policy struct {
	AccountFree int           // failures of one account allowed before it is locked
	AddressFree int           // failures from one client address allowed before it is locked
	Base        time.Duration // the first lockout; each further failure doubles it
	Max         time.Duration // the longest lockout
	Window      time.Duration // failures older than this (after the last one) are forgotten
}

// DefaultPolicy locks an account after 5 failures and an address after 20 (an office behind one
// NAT address), for 30 s, then 1 min, 2 min… up to 15 min; 15 quiet minutes forget the count.
var DefaultPolicy = Policy{AccountFree: 5, AddressFree: 20, Base: 30 * time.Second, Max: 15 * time.Minute, Window: 15 * time.Minute}

// AccountKey and AddressKey are the throttle keys of an account and a client address: hashed, so
// that the table holds no address or IP in clear.
func AccountKey(email string) string { return throttleKey("account", email) }

// AddressKey is the throttle key of a client address (see AccountKey).
func AddressKey(ip string) string { return throttleKey("ip", ip) }

func throttleKey(kind, v string) string {
	h := sha256.Sum256([]byte("clearlist login throttle\x00" + kind + "\x00" + v))
	return kind + ":" + hex.EncodeToString(h[:16])
}

// Next returns the throttle row after one more failure at now for a key allowed free failures.
func (p Policy) Next(t Throttle, free int, now time.Time) Throttle {
	if !t.LastFailure.IsZero() && now.Sub(t.LastFailure) > p.Window {
		t.Failures = 0
	}
	t.Failures++
	t.LastFailure = now
	if over := t.Failures - free; over > 0 {
		d := p.Base
		for i := 1; i < over && d < p.Max; i++ {
			d *= 2
		}
		t.LockedUntil = now.Add(min(d, p.Max))
	}
	return t
}

// free returns the failures allowed for a key.
func (p Policy) free(key string) int {
	if len(key) > 3 && key[:3] == "ip:" {
		return p.AddressFree
	}
	return p.AccountFree
}
