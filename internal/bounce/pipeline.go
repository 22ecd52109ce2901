package bounce

import (
	"context"
	"sync"
)

// Pipeline ingests a stream of batches as IngestBatch does, one transaction each, in three
// overlapping stages: the next batch is parsed, identified and matched (in the caller's
// goroutine, in Add) while the batch before it is being written (in the pipeline's writer
// goroutine), while what follows the batch before that — the screening index brought up to
// date, the campaigns guarded, done — runs in the pipeline's finisher goroutine. On two
// cores the parsing no longer waits for the database, nor the database for the parsing or
// for the screening and guard reads. Batches are written in the order they were added, and
// done is called after each batch's screening and guard, in that order, from the finisher.
// A batch that fails writes nothing and is given to done with its error; the batches after
// it go on. done's error stops the pipeline: the batch being written meanwhile (at most
// one) is still given to done — what was written is always reported — and no later batch
// is written. Preparing reads only what ingestion does not write (signing keys, settings,
// deliveries), and writing reads nothing the screening or guard write, so a batch prepared
// early is the batch prepared late: the results are those of IngestBatch one batch after
// another.
type Pipeline struct {
	s    *Service
	ctx  context.Context
	via  string
	done func(tag any, rs []IngestResult, err error) error
	q    chan pipelineItem
	fin  chan finishItem // unbuffered: the writer starts a batch only once done has had the one before the last

	wg  sync.WaitGroup
	mu  sync.Mutex
	err error // the first error done returned: the pipeline stops
}

type pipelineItem struct {
	tag any
	p   *preparedBatch
	err error
}

// finishItem is a written (or failed) batch waiting for its screening, guard and done.
type finishItem struct {
	tag   any
	rs    []IngestResult
	after afterBatch
	err   error
}

// Pipeline starts a pipeline; Close it to wait for the last batch. done's error stops the
// pipeline (Add and Close return it).
func (s *Service) Pipeline(ctx context.Context, via string, done func(tag any, rs []IngestResult, err error) error) *Pipeline {
	pl := &Pipeline{s: s, ctx: ctx, via: via, done: done, q: make(chan pipelineItem, 1), fin: make(chan finishItem)}
	pl.wg.Add(2)
	go func() { // the writer
		defer pl.wg.Done()
		defer close(pl.fin)
		for it := range pl.q {
			if pl.failed() != nil {
				continue // drain
			}
			f := finishItem{tag: it.tag, err: it.err}
			if f.err == nil {
				f.rs, f.after, f.err = s.writeBatch(ctx, it.p)
			}
			pl.fin <- f
		}
	}()
	go func() { // the finisher
		defer pl.wg.Done()
		for f := range pl.fin {
			if f.err == nil {
				s.after(ctx, f.after)
			}
			if pl.failed() != nil && f.err != nil {
				continue // not written: nothing to report after the stop
			}
			if derr := done(f.tag, f.rs, f.err); derr != nil {
				pl.mu.Lock()
				if pl.err == nil {
					pl.err = derr
				}
				pl.mu.Unlock()
			}
		}
	}()
	return pl
}

func (pl *Pipeline) failed() error {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.err
}

// Add prepares a batch and queues it to be written after the batches before it; tag is
// given back to done with its results. It waits while the batch before is still queued.
func (pl *Pipeline) Add(raws [][]byte, tag any) error {
	if err := pl.failed(); err != nil {
		return err
	}
	p, err := pl.s.prepareBatch(pl.ctx, raws, pl.via)
	pl.q <- pipelineItem{tag: tag, p: p, err: err}
	return nil
}

// Close waits until every batch added is written and done with, and returns done's error.
func (pl *Pipeline) Close() error {
	close(pl.q)
	pl.wg.Wait()
	return pl.failed()
}
