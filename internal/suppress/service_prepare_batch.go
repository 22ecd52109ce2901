package suppress

import (
	"context"
	"time"
)

// PrepareFunc is PrepareSuppression for one workspace.
type PrepareFunc func(ctx context.Context, req Intake, now time.Time) (Suppression, error)

// Preparer returns PrepareSuppression for the workspace with its deadline rules read once,
// for a batch that prepares many entries (bounce ingestion): the same entries, one settings
// read instead of one an entry.
func (s *Service) Preparer(ctx context.Context, ws int64) (PrepareFunc, error) {
	rules, err := s.deadlineRules(ctx, ws)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, req Intake, now time.Time) (Suppression, error) {
		return s.prepare(ctx, ws, req, now, rules)
	}, nil
}
