package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// KindAuditPrune is the daily job that removes audit entries older than each workspace's
// retention (audit.retention_days), keeping the chain verifiable from an anchor.
const KindAuditPrune = "audit_prune"

// AuditPruneArgs is the periodic job that prunes the audit trail.
type AuditPruneArgs struct{}

// Kind names the job.
func (AuditPruneArgs) Kind() string { return KindAuditPrune }

// AuditPruner is the work of the audit_prune job: one round over every workspace that set a
// retention, returning how many entries it removed. A Service that has it gets the job.
type AuditPruner interface {
	PruneAudit(ctx context.Context, now time.Time) (int, error)
}

// DefaultAuditPrunePeriod is how often the audit trail is pruned.
const DefaultAuditPrunePeriod = 24 * time.Hour

// addAuditPrune registers the audit_prune worker and its daily periodic job when the service
// prunes.
func addAuditPrune(w *river.Workers, cfg *river.Config, svc Service, period time.Duration, now func() time.Time, log *slog.Logger) {
	p, ok := svc.(AuditPruner)
	if !ok {
		return
	}
	if period <= 0 {
		period = DefaultAuditPrunePeriod
	}
	river.AddWorker(w, &roundWorker[AuditPruneArgs]{what: "removed audit entries past their retention", round: p.PruneAudit, now: now, log: log})
	cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(period),
		func() (river.JobArgs, *river.InsertOpts) { return AuditPruneArgs{}, PeriodicOpts(period) },
		&river.PeriodicJobOpts{ID: KindAuditPrune, RunOnStart: true}))
}
