package app

import (
	"context"
	"sync"

	"github.com/clearlist/clearlist/internal/jobs"
)

// jobQueue enqueues the services' background jobs: on serve's working job client while it
// runs, else on a client opened for inserting only (on first use, closed with the App).
type jobQueue struct {
	a     *App
	mu    sync.Mutex
	serve *jobs.Client // serve's working client, while it runs
	own   *jobs.Client // opened here to insert only
}

func (q *jobQueue) client(ctx context.Context) (*jobs.Client, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.serve != nil {
		return q.serve, nil
	}
	if q.own == nil {
		c, err := q.a.OpenJobs(ctx, false)
		if err != nil {
			return nil, err
		}
		q.own = c
	}
	return q.own, nil
}

// use makes c (serve's working client) the one jobs are enqueued on until the returned
// function is called.
func (q *jobQueue) use(c *jobs.Client) func() {
	q.mu.Lock()
	q.serve = c
	q.mu.Unlock()
	return func() {
		q.mu.Lock()
		q.serve = nil
		q.mu.Unlock()
	}
}

func (q *jobQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.own != nil {
		q.own.Close()
		q.own = nil
	}
}

// EnqueueVerifyJob asks for the stored verification job to be run by a serve process.
func (q *jobQueue) EnqueueVerifyJob(ctx context.Context, ws, id int64) error {
	c, err := q.client(ctx)
	if err != nil {
		return err
	}
	return c.EnqueueVerify(ctx, ws, id)
}
