package verify

import (
	"context"
	"iter"
	"runtime"
	"sync"
)

// CheckManyOrdered is CheckMany calling each in the order the addresses came from in, so
// that a report lines up with its input. Results that finish early wait for the ones
// before them; at most 64 per worker are held, after which reading in pauses.
func (c *Checker) CheckManyOrdered(ctx context.Context, in iter.Seq[string], workers int, each func(Result)) {
	if workers <= 0 {
		workers = 4 * runtime.GOMAXPROCS(0)
	}
	if each == nil {
		each = func(Result) {}
	}
	type job struct {
		n    int
		addr string
	}
	jobs := make(chan job, workers)
	window := make(chan struct{}, 64*workers) // a slot per address read and not yet reported
	var (
		mu      sync.Mutex
		done    = map[int]Result{}
		next    int
		wg      sync.WaitGroup
		reading = 0
	)
	for range workers {
		wg.Go(func() {
			for j := range jobs {
				r := c.Check(ctx, j.addr)
				mu.Lock()
				done[j.n] = r
				for {
					r, ok := done[next]
					if !ok {
						break
					}
					delete(done, next)
					next++
					each(r)
					<-window
				}
				mu.Unlock()
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)
	for addr := range in {
		select {
		case window <- struct{}{}:
		case <-ctx.Done():
			return
		}
		select {
		case jobs <- job{reading, addr}:
			reading++
		case <-ctx.Done():
			<-window
			return
		}
	}
}
