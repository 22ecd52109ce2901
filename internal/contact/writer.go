package contact

import (
	"context"
	"fmt"
	"sync"
)

// batchLoop writes batches on its own goroutine; two batches circulate between the reader
// (filling one) and the writer (writing the other).
type batchLoop struct {
	full chan *Batch
	free chan *Batch
	done chan struct{}
	ctx  context.Context

	closeOnce sync.Once
	mu        sync.Mutex
	res       BatchResult
	err       error
}

func startWriter(ctx context.Context, cancel context.CancelFunc, w BatchWriter, dryRun bool) *batchLoop {
	l := &batchLoop{full: make(chan *Batch, 1), free: make(chan *Batch, 2), done: make(chan struct{}), ctx: ctx}
	l.free <- nil
	l.free <- nil
	go func() {
		defer close(l.done)
		for b := range l.full {
			if !dryRun && l.failure() == nil && (len(b.Rows) > 0 || b.Failed > 0) {
				r, err := w.WriteBatch(ctx, b)
				l.mu.Lock()
				if err != nil {
					l.err = fmt.Errorf("write rows up to %d: %w", b.LastRow, err)
					cancel()
				}
				l.res.Add(r)
				l.mu.Unlock()
			}
			l.free <- b
		}
	}()
	return l
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
