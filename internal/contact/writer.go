package contact

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// batchLoop writes batches on writer goroutines, one per BatchWriter, while the reader fills
// the next batch. Writers work on their batches at the same time but commit them in file
// order (Batch.Turn), so an import's committed rows are always a prefix of the file and a
// killed import resumes after its last committed row.
type batchLoop struct {
	full chan *Batch
	free chan *Batch
	done chan struct{}
	ctx  context.Context
	last chan struct{} // closed when the most recently queued batch has finished

	closeOnce sync.Once
	mu        sync.Mutex
	res       BatchResult
	err       error
}

// errEarlierBatch stops a batch whose predecessor failed: committing it would leave a gap.
var errEarlierBatch = errors.New("an earlier batch failed")

func startWriter(ctx context.Context, cancel context.CancelFunc, writers []BatchWriter, dryRun bool) *batchLoop {
	n := max(len(writers), 1)
	l := &batchLoop{full: make(chan *Batch, 1), free: make(chan *Batch, n+1), done: make(chan struct{}), ctx: ctx,
		last: make(chan struct{})}
	close(l.last)
	for range n + 1 {
		l.free <- nil
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range l.full {
				if !dryRun && l.failure() == nil && (len(b.Rows) > 0 || b.Failed > 0) {
					r, err := writers[i].WriteBatch(ctx, b)
					l.mu.Lock()
					if err != nil && l.err == nil {
						l.err = fmt.Errorf("write rows up to %d: %w", b.LastRow, err)
						cancel()
					}
					l.res.Add(r)
					l.mu.Unlock()
				}
				close(b.finished)
				l.free <- b
			}
		}()
	}
	go func() { wg.Wait(); close(l.done) }()
	return l
}

// queue hands a filled batch to the writers, chaining its turn to commit after the one
// queued before it.
func (l *batchLoop) queue(b *Batch) {
	prev := l.last
	b.finished = make(chan struct{})
	l.last = b.finished
	b.Turn = func(ctx context.Context) error {
		select {
		case <-prev:
			if l.failure() != nil {
				return errEarlierBatch
			}
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	l.full <- b
}

// next returns an empty batch made from the template, or nil once the writer has failed.
func (l *batchLoop) next(tmpl Batch, size int) *Batch {
	select {
	case b := <-l.free:
		if l.failure() != nil {
			return nil
		}
		if b == nil {
			b = &Batch{Rows: make([]Row, 0, size)}
		}
		rows := b.Rows[:0]
		*b = tmpl
		b.Rows = rows
		return b
	case <-l.ctx.Done():
		return nil
	}
}

func (l *batchLoop) failure() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.err
}

func (l *batchLoop) result() BatchResult {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.res
}

// wait closes the queue, waits for the writer to finish and returns its error. It may be
// called more than once.
func (l *batchLoop) wait() error {
	l.closeOnce.Do(func() { close(l.full) })
	<-l.done
	return l.failure()
}

// errOr prefers the writer's error (the cause) over err (often just "context canceled").
func (l *batchLoop) errOr(err error) error {
	if werr := l.failure(); werr != nil {
		return werr
	}
	return err
}
