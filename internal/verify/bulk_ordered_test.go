package verify

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// gatedResolver answers slow.test only after every other domain was looked up, so the
// first address finishes last whatever the scheduling.
type gatedResolver struct {
	others int
	mu     sync.Mutex
	seen   int
	open   chan struct{}
}

func (g *gatedResolver) LookupMail(ctx context.Context, domain string) (DomainMail, error) {
	if domain == "slow.test" {
		<-g.open
	} else {
		g.mu.Lock()
		if g.seen++; g.seen == g.others {
			close(g.open)
		}
		g.mu.Unlock()
	}
	return DomainMail{Domain: domain, Status: MailMX, MX: []string{"mx." + domain}}, nil
}

func TestCheckManyOrdered(t *testing.T) {
	addrs := []string{"first@slow.test"}
	for i := range 200 {
		addrs = append(addrs, fmt.Sprintf("u%d@d%d.test", i, i))
	}
	g := &gatedResolver{others: 200, open: make(chan struct{})}
	c := New(Options{Resolver: g})
	var got []string
	c.CheckManyOrdered(context.Background(), slices.Values(addrs), 8, func(r Result) { got = append(got, r.Address) })
	if !slices.Equal(got, addrs) {
		t.Fatalf("results not in input order: first %q, want %q (%d of %d)", got[:min(3, len(got))], addrs[:3], len(got), len(addrs))
	}
}
