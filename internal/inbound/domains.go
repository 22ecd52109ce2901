package inbound

import (
	"context"
	"strings"
	"sync"
	"time"
)

// domainCache keeps the list of our domains for a while: a recipient check need not ask the
// database each time. When a refresh fails, the last list is kept.
type domainCache struct {
	src Domains
	ttl time.Duration

	mu      sync.Mutex
	set     map[string]bool
	fetched time.Time
}

func (c *domainCache) has(ctx context.Context, domain string) (bool, error) {
	domain = strings.TrimSuffix(strings.ToLower(strings.TrimSpace(domain)), ".")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.set == nil || time.Since(c.fetched) >= c.ttl {
		list, err := c.src.Domains(ctx)
		if err != nil && c.set == nil {
			return false, err
		}
		if err == nil {
			c.set = map[string]bool{}
			for _, d := range list {
				c.set[strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")] = true
			}
		}
		c.fetched = time.Now()
	}
	return domain != "" && c.set[domain], nil
}
