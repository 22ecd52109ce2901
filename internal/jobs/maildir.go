package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// KindBounceMaildir is the periodic job that ingests the messages of the bounce Maildir
// folder (serve --bounce-maildir).
const KindBounceMaildir = "bounce_maildir"

// BounceMaildirArgs is the periodic job that polls the bounce Maildir folder.
type BounceMaildirArgs struct{}

// Kind names the job.
func (BounceMaildirArgs) Kind() string { return KindBounceMaildir }

// MaildirPoller is the work of the bounce_maildir job: one round over the folder's new
// messages, returning how many it stored. A Service that has it, with a period above 0 (a
// folder is configured), gets the job.
type MaildirPoller interface {
	PollMaildir(ctx context.Context) (int, error)
	MaildirPeriod() time.Duration
}

// addBounceMaildir registers the bounce_maildir worker and its periodic job. One round waits
// or runs at a time, so that a slow round is not joined by another on the same folder; a
// failed one is retried, and the messages it did not store stay in the folder anyway.
func addBounceMaildir(w *river.Workers, cfg *river.Config, svc Service, log *slog.Logger) {
	p, ok := svc.(MaildirPoller)
	if !ok || p.MaildirPeriod() <= 0 {
		return
	}
	round := func(ctx context.Context, _ time.Time) (int, error) { return p.PollMaildir(ctx) }
	river.AddWorker(w, &roundWorker[BounceMaildirArgs]{what: "ingested messages of the bounce maildir", round: round, now: time.Now, log: log})
	opts := &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
	cfg.PeriodicJobs = append(cfg.PeriodicJobs, river.NewPeriodicJob(river.PeriodicInterval(p.MaildirPeriod()),
		func() (river.JobArgs, *river.InsertOpts) { return BounceMaildirArgs{}, opts },
		&river.PeriodicJobOpts{ID: KindBounceMaildir, RunOnStart: true}))
}
