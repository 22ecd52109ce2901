package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// KindReportCounts is the periodic job that counts each workspace's audience reports
// (contacts per status and day, consent coverage), so that pages read the counts instead of
// counting a million contacts on each view.
const KindReportCounts = "report_counts"

// ReportCountsArgs is the periodic job that counts the reports.
type ReportCountsArgs struct{}

// Kind names the job.
func (ReportCountsArgs) Kind() string { return KindReportCounts }

// ReportCounter is the work of the report_counts job: one round over every workspace,
// returning how many it counted. A Service that has it gets the job.
type ReportCounter interface {
	CountReports(ctx context.Context, now time.Time) (int, error)
}

// DefaultReportCountsPeriod is how often the reports are counted.
const DefaultReportCountsPeriod = 5 * time.Minute

// addReportCounts registers the report_counts worker and its periodic job (also run at start)
// when the service counts reports.
func addReportCounts(w *river.Workers, cfg *river.Config, svc Service, now func() time.Time, log *slog.Logger) {
	p, ok := svc.(ReportCounter)
	if !ok {
		return
	}
	period := DefaultReportCountsPeriod
	river.AddWorker(w, &roundWorker[ReportCountsArgs]{what: "counted the reports of workspaces", round: p.CountReports, now: now, log: log})
	cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(period),
		func() (river.JobArgs, *river.InsertOpts) { return ReportCountsArgs{}, PeriodicOpts(period) },
		&river.PeriodicJobOpts{ID: KindReportCounts, RunOnStart: true}))
}
