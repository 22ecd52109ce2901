package verify

import (
	"context"
	"iter"
	"runtime"
	"sync"
)

// CheckMany checks every address from in with workers goroutines (0 or less:
// four per CPU, as the work mostly waits on DNS) and calls each with every
// result, one call at a time, in the order the checks finish. It returns when
// all are done or ctx is done; addresses not yet started then are skipped.
// Repeated domains cost one DNS lookup (see Cache), so a progress bar over
// each sees the pace of distinct domains first and then of addresses.
func (c *Checker) CheckMany(ctx context.Context, in iter.Seq[string], workers int, each func(Result)) {
	if workers <= 0 {
		workers = 4 * runtime.GOMAXPROCS(0)
	}
	if each == nil {
		each = func(Result) {}
	}
	jobs := make(chan string, workers)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for addr := range jobs {
				r := c.Check(ctx, addr)
				mu.Lock()
				each(r)
				mu.Unlock()
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)
	for addr := range in {
		select {
		case jobs <- addr:
		case <-ctx.Done():
			return
		}
	}
}
