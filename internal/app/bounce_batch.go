package app

import (
	"context"

	"github.com/clearlist/clearlist/internal/bounce"
)

// IngestBatch takes in many received messages in one transaction (bounce.Service.IngestBatch),
// with the results IngestMessage would give one by one.
func (a *App) IngestBatch(ctx context.Context, raws [][]byte, via string) ([]bounce.IngestResult, error) {
	return a.Bounces.IngestBatch(ctx, raws, via)
}
