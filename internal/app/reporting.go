package app

import (
	"context"
	"time"
)

// CountReports counts every workspace's audience reports (the report_counts job).
func (s jobService) CountReports(ctx context.Context, now time.Time) (int, error) {
	return s.a.Reporting.CountAll(ctx, now)
}
