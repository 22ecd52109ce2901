package bounce

import (
	"context"
	"sync"
)

// Pipeline ingests a stream of batches as IngestBatch does, one transaction each, with the
// next batch parsed, identified and matched (in the caller's goroutine, in Add) while the
// batch before it is being written (in the pipeline's own goroutine): on two cores the
// parsing no longer waits for the database, nor the database for the parsing. Batches are
// written in the order they were added, and done is called after each, in that order, from
// the pipeline's goroutine. A batch that fails writes nothing and is given to done with its
// error; the batches after it go on. Preparing reads only what ingestion does not write
// (signing keys, settings, deliveries), so a batch prepared early is the batch prepared
// late: the results are those of IngestBatch one batch after another.
type Pipeline struct {
	s    *Service
	ctx  context.Context
	via  string
	done func(tag any, rs []IngestResult, err error) error
	q    chan pipelineItem
	wg   sync.WaitGroup
	mu   sync.Mutex
	err  error // the first error done returned: the pipeline stops
}

type pipelineItem struct {
	tag any
	p   *preparedBatch
	err error
}

// Pipeline starts a pipeline; Close it to wait for the last batch. done's error stops the
// pipeline (Add and Close return it).
func (s *Service) Pipeline(ctx context.Context, via string, done func(tag any, rs []IngestResult, err error) error) *Pipeline {
	pl := &Pipeline{s: s, ctx: ctx, via: via, done: done, q: make(chan pipelineItem, 1)}
	pl.wg.Add(1)
	go func() {
		defer pl.wg.Done()
		for it := range pl.q {
			if pl.failed() != nil {
				continue // drain
			}
			var rs []IngestResult
			err := it.err
			if err == nil {
				rs, err = s.recordBatch(ctx, it.p)
			}
			if derr := done(it.tag, rs, err); derr != nil {
				pl.mu.Lock()
				pl.err = derr
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
