package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
)

// KindBouncePrune is the daily job that deletes the received bounce, complaint and reply
// messages older than each workspace's bounce.keep_days.
const KindBouncePrune = "bounce_prune"

// BouncePruneArgs is the periodic job that deletes kept bounce messages.
type BouncePruneArgs struct{}

// Kind names the job.
func (BouncePruneArgs) Kind() string { return KindBouncePrune }

// BouncePruner is the work of the bounce_prune job: one round over every workspace,
// returning how many messages it deleted. A Service that has it gets the job.
type BouncePruner interface {
	PruneBounceMessages(ctx context.Context, now time.Time) (int, error)
}

// DefaultBouncePrunePeriod is how often kept bounce messages are pruned.
const DefaultBouncePrunePeriod = 24 * time.Hour

// addBouncePrune registers the bounce_prune worker and its daily periodic job when the
// service prunes.
func addBouncePrune(w *river.Workers, cfg *river.Config, svc Service, now func() time.Time, log *slog.Logger) {
	p, ok := svc.(BouncePruner)
	if !ok {
		return
	}
	period := DefaultBouncePrunePeriod
	river.AddWorker(w, &roundWorker[BouncePruneArgs]{what: "deleted kept bounce messages past bounce.keep_days", round: p.PruneBounceMessages, now: now, log: log})
	cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(period),
		func() (river.JobArgs, *river.InsertOpts) { return BouncePruneArgs{}, PeriodicOpts(period) },
		&river.PeriodicJobOpts{ID: KindBouncePrune, RunOnStart: true}))
}
