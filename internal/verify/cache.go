package verify

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// CacheOptions configures a Cache. Zero values take the defaults.
type CacheOptions struct {
	PositiveTTL   time.Duration    // domains that receive mail (MX or implicit MX); default 1 h
	NegativeTTL   time.Duration    // NXDOMAIN, null MX, no mail records; default 15 min
	ErrorTTL      time.Duration    // SERVFAIL and timeouts; default 1 min, negative: not cached
	LookupTimeout time.Duration    // bound on one shared lookup; default 15 s
	MaxEntries    int              // entries kept; default 200,000
	Now           func() time.Time // clock for expiry; default time.Now
}

// Cache is a Resolver in front of another that remembers answers per domain
// and makes concurrent callers for the same domain share one lookup, so a
// list of a million addresses on twenty thousand domains costs about twenty
// thousand lookups. It is safe for concurrent use and may be shared by
// several Checkers.
type Cache struct {
	r    Resolver
	opts CacheOptions

	mu      sync.Mutex
	entries map[string]*cacheEntry

	lookups, hits, shared atomic.Int64
}

type cacheEntry struct {
	done    chan struct{} // closed when mail/err are set
	mail    DomainMail
	err     error
	expires time.Time
}

// CacheStats counts what a Cache did.
type CacheStats struct {
	Lookups int64 // lookups passed to the resolver
	Hits    int64 // answers from the cache
	Shared  int64 // callers that waited for another caller's lookup
	Entries int   // domains held now
}

// NewCache returns a cache in front of r.
func NewCache(r Resolver, opts CacheOptions) *Cache {
	opts.PositiveTTL = cmp.Or(opts.PositiveTTL, time.Hour)
	opts.NegativeTTL = cmp.Or(opts.NegativeTTL, 15*time.Minute)
	opts.ErrorTTL = cmp.Or(opts.ErrorTTL, time.Minute)
	opts.LookupTimeout = cmp.Or(opts.LookupTimeout, 15*time.Second)
	opts.MaxEntries = cmp.Or(opts.MaxEntries, 200_000)
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Cache{r: r, opts: opts, entries: map[string]*cacheEntry{}}
}

// Stats returns the counters.
func (c *Cache) Stats() CacheStats {
	c.mu.Lock()
	n := len(c.entries)
	c.mu.Unlock()
	return CacheStats{Lookups: c.lookups.Load(), Hits: c.hits.Load(), Shared: c.shared.Load(), Entries: n}
}

// LookupMail answers from the cache, joins a lookup in flight, or starts one.
// The lookup itself does not stop when ctx does (other callers may be
// waiting for it); it is bounded by LookupTimeout.
func (c *Cache) LookupMail(ctx context.Context, domain string) (DomainMail, error) {
	c.mu.Lock()
	e := c.entries[domain]
	if e != nil {
		select {
		case <-e.done:
			if c.opts.Now().Before(e.expires) {
				c.mu.Unlock()
				c.hits.Add(1)
				return e.mail, e.err
			}
			e = nil // expired: look up again
		default:
			c.shared.Add(1)
		}
	}
	if e == nil {
		e = &cacheEntry{done: make(chan struct{})}
		c.evictLocked()
		c.entries[domain] = e
		c.lookups.Add(1)
		go c.fill(context.WithoutCancel(ctx), domain, e)
	}
	c.mu.Unlock()
	select {
	case <-e.done:
		return e.mail, e.err
	case <-ctx.Done():
		return DomainMail{Domain: domain}, errors.Join(ErrDNSTimeout, ctx.Err())
	}
}

func (c *Cache) fill(ctx context.Context, domain string, e *cacheEntry) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.LookupTimeout)
	defer cancel()
	mail, err := c.r.LookupMail(ctx, domain)
	ttl := c.opts.PositiveTTL
	switch {
	case err != nil:
		ttl = c.opts.ErrorTTL
	case !mail.Receives():
		ttl = c.opts.NegativeTTL
	}
	c.mu.Lock()
	e.mail, e.err = mail, err
	e.expires = c.opts.Now().Add(ttl)
	if ttl < 0 && c.entries[domain] == e {
		delete(c.entries, domain)
	}
	close(e.done)
	c.mu.Unlock()
}

// evictLocked makes room when the cache is full: expired entries first,
// then any finished ones (map order is random enough for a cache).
func (c *Cache) evictLocked() {
	if len(c.entries) < c.opts.MaxEntries {
		return
	}
	now := c.opts.Now()
	target := c.opts.MaxEntries * 9 / 10
	for pass := 0; pass < 2 && len(c.entries) > target; pass++ {
		for d, e := range c.entries {
			select {
			case <-e.done:
				if pass == 1 || !now.Before(e.expires) {
					delete(c.entries, d)
				}
			default:
			}
			if len(c.entries) <= target {
				break
			}
		}
	}
}
