package eligibility

import (
	"context"
	"sync"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/policy"
)

// cache keeps the workspace data that a single eligibility answer needs and that
// never changes in a way that matters: sources (never updated once written) and purposes
// (only ever added: an unknown name reloads them). Consents, contacts and assessments are
// read fresh for every answer.
type cache struct {
	mu       sync.Mutex
	sources  map[[2]int64]policy.SourceFacts
	purposes map[int64][]consent.Purpose
}

func (c *cache) source(ctx context.Context, st Store, ws, id int64) (policy.SourceFacts, error) {
	c.mu.Lock()
	sf, ok := c.sources[[2]int64{ws, id}]
	c.mu.Unlock()
	if ok {
		return sf, nil
	}
	src, err := st.Source(ctx, ws, id)
	if err != nil {
		return policy.SourceFacts{}, err
	}
	sf = SourceFacts(src)
	c.mu.Lock()
	if c.sources == nil || len(c.sources) > 100000 {
		c.sources = map[[2]int64]policy.SourceFacts{}
	}
	c.sources[[2]int64{ws, id}] = sf
	c.mu.Unlock()
	return sf, nil
}

// purposesFor returns the workspace's purposes; reload forces a fresh read (after a miss).
func (c *cache) purposesFor(ctx context.Context, st Store, ws int64, reload bool) ([]consent.Purpose, error) {
	c.mu.Lock()
	ps, ok := c.purposes[ws]
	c.mu.Unlock()
	if ok && !reload {
		return ps, nil
	}
	ps, err := st.Purposes(ctx, ws)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.purposes == nil {
		c.purposes = map[int64][]consent.Purpose{}
	}
	c.purposes[ws] = ps
	c.mu.Unlock()
	return ps, nil
}
