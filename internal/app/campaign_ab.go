package app

import (
	"context"
	"time"
)

// EnqueueABDecide queues the decision job of a campaign's A/B test (campaign.ABQueue).
func (q *jobQueue) EnqueueABDecide(ctx context.Context, ws, id int64, at time.Time) error {
	c, err := q.client(ctx)
	if err != nil {
		return err
	}
	return c.EnqueueABDecide(ctx, ws, id, at)
}
