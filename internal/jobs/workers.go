package jobs

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// DOIExpiryArgs is the periodic job that closes double opt-in sign-ups not confirmed in time.
type DOIExpiryArgs struct{}

// Kind names the job.
func (DOIExpiryArgs) Kind() string { return KindDOIExpiry }

// ImpliedLapseArgs is the periodic job that records lapsed implied consent on the ledger.
type ImpliedLapseArgs struct{}

// Kind names the job.
func (ImpliedLapseArgs) Kind() string { return KindImpliedLapse }

// ReverifyArgs is the periodic job that re-checks addresses whose verification is old.
type ReverifyArgs struct{}

// Kind names the job.
func (ReverifyArgs) Kind() string { return KindReverify }

// WebhookArgs is the periodic job that sends the webhook deliveries that are due.
type WebhookArgs struct{}

// Kind names the job.
func (WebhookArgs) Kind() string { return KindWebhookDeliver }

// PeriodicOpts are the insert options of a periodic job run every period: unique within the
// period, so that however many clients (serve processes) share a database, and across a
// change of leader, the job is inserted — and run — once per period. A failed run is retried
// a few times; the next period runs it anyway.
func PeriodicOpts(period time.Duration) *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByPeriod: period}}
}

// WebhookOpts are the insert options of a webhook round: one round waiting or running at a
// time (a slow round is not joined by more), tried once — the deliveries carry their own
// attempts and backoff, and a lease that keeps two rounds from sending the same one.
func WebhookOpts() *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: 1, UniqueOpts: river.UniqueOpts{ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

func periodicJobs(p Periods) []*river.PeriodicJob {
	job := func(id string, period time.Duration, args river.JobArgs, opts *river.InsertOpts) *river.PeriodicJob {
		return river.NewPeriodicJob(river.PeriodicInterval(period),
			func() (river.JobArgs, *river.InsertOpts) { return args, opts },
			&river.PeriodicJobOpts{ID: id, RunOnStart: true})
	}
	return []*river.PeriodicJob{
		job(KindDOIExpiry, p.DOIExpiry, DOIExpiryArgs{}, PeriodicOpts(p.DOIExpiry)),
		job(KindImpliedLapse, p.Implied, ImpliedLapseArgs{}, PeriodicOpts(p.Implied)),
		job(KindReverify, p.Reverify, ReverifyArgs{}, PeriodicOpts(p.Reverify)),
		job(KindWebhookDeliver, p.Webhooks, WebhookArgs{}, WebhookOpts()),
	}
}

// roundWorker runs one periodic round (over every workspace) with the job as the actor of
// the changes it makes, and logs how many things it changed.
type roundWorker[T river.JobArgs] struct {
	river.WorkerDefaults[T]
	what  string // what the count counts, for the log
	round func(ctx context.Context, now time.Time) (int, error)
	now   func() time.Time
	log   *slog.Logger
}

func (w *roundWorker[T]) Work(ctx context.Context, j *river.Job[T]) error {
	ctx = asJob(ctx, j.JobRow)
	n, err := w.round(ctx, w.now().UTC())
	return done(w.log, w.what, j.ID, n, err)
}

type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	svc Service
	now func() time.Time
	log *slog.Logger
}

func (w *webhookWorker) Work(ctx context.Context, j *river.Job[WebhookArgs]) error {
	ctx = asJob(ctx, j.JobRow)
	for { // a full round may leave more due
		sent, failed, err := w.svc.DeliverWebhooks(ctx, w.now().UTC())
		if err != nil {
			return err
		}
		if sent+failed > 0 {
			w.log.Info("webhook deliveries", "job_id", j.ID, "sent", sent, "failed", failed)
		}
		if sent+failed < WebhookRound || ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// WebhookRound is how many deliveries one call of DeliverWebhooks sends at most.
const WebhookRound = 100

func done(log *slog.Logger, msg string, id int64, n int, err error) error {
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info(msg, "job_id", id, "count", n)
	}
	return nil
}

// asJob names the job as the actor of the changes its work makes, for the audit trail.
func asJob(ctx context.Context, j *rivertype.JobRow) context.Context {
	return audit.WithActor(ctx, audit.Actor{Kind: audit.Job, ID: strconv.FormatInt(j.ID, 10), Name: j.Kind})
}
