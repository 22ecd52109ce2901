// Package jobs runs clearlist's background work on River: the periodic jobs (double opt-in
// expiry, implied-consent lapse, re-verification, webhook deliveries), the bulk verification
// jobs, and the client that lists, retries and cancels jobs. One job model serves both engines: River's pgx v5 driver
// on PostgreSQL and its database/sql driver on SQLite. The work itself is done by a Service
// (and a Verifier) the composition root hands in; this package only schedules it.
package jobs

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"
)

// The kinds of job clearlist runs.
const (
	KindDOIExpiry      = "doi_expiry"
	KindImpliedLapse   = "implied_consent_lapse"
	KindReverify       = "reverify"
	KindWebhookDeliver = "webhook_deliveries"
)

// Service is the work behind the jobs; each method does one round for every workspace and
// says how much it did. The jobs call it and hold no rule of their own.
type Service interface {
	ExpireSignups(ctx context.Context, now time.Time) (int, error)
	LapseImpliedConsent(ctx context.Context, now time.Time) (int, error)
	Reverify(ctx context.Context, now time.Time) (int, error)
	// DeliverWebhooks sends the deliveries that are due. Deliveries keep their own retry
	// schedule and lease in the database, so a round run twice never sends one twice.
	DeliverWebhooks(ctx context.Context, now time.Time) (sent, failed int, err error)
}

// Periods are how often each periodic job runs; zero takes the default.
type Periods struct {
	DOIExpiry time.Duration // default 1 minute
	Implied   time.Duration // implied-consent lapse; default 24 hours
	Reverify  time.Duration // default 24 hours
	Webhooks  time.Duration // default 2 seconds
	// AuditPrune is how often the audit trail is pruned; default 24 hours.
	AuditPrune time.Duration
}

func (p Periods) withDefaults() Periods {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&p.DOIExpiry, time.Minute)
	def(&p.Implied, 24*time.Hour)
	def(&p.Reverify, 24*time.Hour)
	def(&p.Webhooks, 2*time.Second)
	return p
}

// DB is the database River keeps its tables in: the store's *sql.DB on SQLite, or a pgx
// pool on PostgreSQL (owned by the client from here on and closed by Close).
type DB struct {
	SQLite   *sql.DB
	Postgres *pgxpool.Pool
}

// Options configure a client. Without a Service the client only inserts and manages jobs
// (the command line's `clearlist jobs`); with one it works them too.
type Options struct {
	Service Service
	// Verifier runs the verification jobs (KindVerify) when the client works jobs.
	Verifier Verifier
	// Imports runs uploaded imports (KindImport) when the client works jobs.
	Imports Importer
	// Campaigns runs campaign send jobs (KindCampaignSend) when the client works jobs.
	Campaigns CampaignSender
	// CampaignWorkers is how many send jobs one client runs at once; default 8.
	CampaignWorkers int
	Periods         Periods
	Logger          *slog.Logger
	// JobTimeout bounds one run of a job (its context is cancelled then); default 4 minutes.
	JobTimeout time.Duration
	// RescueStuckJobsAfter is how long a job may stay running before it is taken to be lost
	// (its process killed) and made retryable, or discarded when out of attempts; at least
	// JobTimeout; default 5 minutes. Until then a lost webhook round holds back the next.
	RescueStuckJobsAfter time.Duration
	Now                  func() time.Time // the clock the jobs pass to the Service; default time.Now
	ID                   string           // this client's name in job rows; default River's
}

// Job is one job as a person sees it.
type Job struct {
	ID          int64      `json:"id"`
	Kind        string     `json:"kind"`
	State       string     `json:"state"`
	Queue       string     `json:"queue"`
	Attempt     int        `json:"attempt"`
	MaxAttempts int        `json:"max_attempts"`
	Errors      []string   `json:"errors,omitempty"`
	Args        string     `json:"args"`
	CreatedAt   time.Time  `json:"created_at"`
	ScheduledAt time.Time  `json:"scheduled_at"`
	AttemptedAt *time.Time `json:"attempted_at,omitempty"`
	FinalizedAt *time.Time `json:"finalized_at,omitempty"`
}

// States are the states a job can be in, for filters.
var States = []string{"available", "scheduled", "running", "retryable", "completed", "cancelled", "discarded", "pending"}

// Filter narrows a listing; zero values list the latest jobs of every kind and state.
type Filter struct {
	Kind  string
	State string
	Limit int // default 50, at most 1000
}

// The defaults of Options.JobTimeout and Options.RescueStuckJobsAfter.
const (
	DefaultJobTimeout  = 4 * time.Minute
	DefaultRescueAfter = 5 * time.Minute
)

// ErrNotFound is returned for a job id that does not exist.
var ErrNotFound = errors.New("job not found")

// Client is a River client on one of the two engines.
type Client struct {
	impl
	pool *pgxpool.Pool
}

type impl interface {
	start(ctx context.Context) error
	stop(ctx context.Context) error
	stopAndCancel(ctx context.Context) error
	list(ctx context.Context, f Filter) ([]Job, error)
	get(ctx context.Context, id int64) (*rivertype.JobRow, error)
	retry(ctx context.Context, id int64) (*rivertype.JobRow, error)
	cancel(ctx context.Context, id int64) (*rivertype.JobRow, error)
	insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error)
	rescue(ctx context.Context, alive func(ctx context.Context, client string) (bool, error)) (int, error)
}

// Open runs River's migrations (creating or updating its tables in the database, in the
// PostgreSQL schema of the connection's search_path) and builds a client.
func Open(ctx context.Context, db DB, o Options) (*Client, error) {
	switch {
	case db.Postgres != nil:
		c, err := open[pgx.Tx](ctx, riverpgxv5.New(db.Postgres), o)
		if err != nil {
			db.Postgres.Close()
			return nil, err
		}
		return &Client{impl: c, pool: db.Postgres}, nil
	case db.SQLite != nil:
		c, err := open[*sql.Tx](ctx, riversqlite.New(db.SQLite), o)
		if err != nil {
			return nil, err
		}
		return &Client{impl: c}, nil
	}
	return nil, errors.New("jobs: no database given")
}

// Close releases the PostgreSQL pool; call it after Stop.
func (c *Client) Close() {
	if c.pool != nil {
		c.pool.Close()
	}
}

// Start works jobs and schedules the periodic ones until Stop.
func (c *Client) Start(ctx context.Context) error {
	if err := c.start(ctx); err != nil {
		return fmt.Errorf("start background jobs: %w", err)
	}
	return nil
}

// Stop lets running jobs finish for up to grace, then cancels them (they are run again by
// whichever client is working after the rescuer's delay) and returns.
func (c *Client) Stop(ctx context.Context, grace time.Duration) error {
	soft, cancel := context.WithTimeout(ctx, grace)
	defer cancel()
	err := c.stop(soft)
	if err == nil {
		return nil
	}
	hard, cancel2 := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel2()
	return c.stopAndCancel(hard)
}

// List lists jobs, newest first.
func (c *Client) List(ctx context.Context, f Filter) ([]Job, error) {
	if f.State != "" && !validState(f.State) {
		return nil, fmt.Errorf("job state %q: give one of %v", f.State, States)
	}
	return c.list(ctx, f)
}

// Get returns one job.
func (c *Client) Get(ctx context.Context, id int64) (Job, error) {
	return row(c.get(ctx, id))
}

// Retry makes a job available to run again now, whatever its state (a running one is not
// touched; a completed one runs anew).
func (c *Client) Retry(ctx context.Context, id int64) (Job, error) {
	return row(c.retry(ctx, id))
}

// Cancel cancels a job that has not finished; a running one is asked to stop.
func (c *Client) Cancel(ctx context.Context, id int64) (Job, error) {
	return row(c.cancel(ctx, id))
}

func row(r *rivertype.JobRow, err error) (Job, error) {
	if errors.Is(err, river.ErrNotFound) {
		return Job{}, ErrNotFound
	}
	if err != nil {
		return Job{}, err
	}
	return toJob(r), nil
}

func validState(s string) bool {
	for _, v := range States {
		if v == s {
			return true
		}
	}
	return false
}

func toJob(r *rivertype.JobRow) Job {
	j := Job{ID: r.ID, Kind: r.Kind, State: string(r.State), Queue: r.Queue, Attempt: r.Attempt,
		MaxAttempts: r.MaxAttempts, Args: string(r.EncodedArgs), CreatedAt: r.CreatedAt.UTC(),
		ScheduledAt: r.ScheduledAt.UTC(), AttemptedAt: utc(r.AttemptedAt), FinalizedAt: utc(r.FinalizedAt)}
	for _, e := range r.Errors {
		j.Errors = append(j.Errors, fmt.Sprintf("attempt %d at %s: %s", e.Attempt, e.At.UTC().Format(time.RFC3339), e.Error))
	}
	return j
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// client is the engine-specific River client.
type client[TTx any] struct {
	rc  *river.Client[TTx]
	drv riverdriver.Driver[TTx]
	id  string
}

func open[TTx any](ctx context.Context, drv riverdriver.Driver[TTx], o Options) (*client[TTx], error) {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	// River's migrator tells of every step at info level; only its warnings are worth a line.
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: slog.New(atLeast{log.Handler(), slog.LevelWarn})})
	if err != nil {
		return nil, fmt.Errorf("prepare job tables: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return nil, fmt.Errorf("create job tables (River migrations): %w", err)
	}
	timeout := cmp.Or(o.JobTimeout, DefaultJobTimeout)
	rescue := max(cmp.Or(o.RescueStuckJobsAfter, DefaultRescueAfter), timeout)
	cfg := &river.Config{Logger: log, ID: o.ID, JobTimeout: timeout, RescueStuckJobsAfter: rescue}
	if o.Service != nil {
		now := o.Now
		if now == nil {
			now = time.Now
		}
		w := river.NewWorkers()
		river.AddWorker(w, &roundWorker[DOIExpiryArgs]{what: "expired unconfirmed sign-ups", round: o.Service.ExpireSignups, now: now, log: log})
		river.AddWorker(w, &roundWorker[ImpliedLapseArgs]{what: "recorded lapsed implied consent", round: o.Service.LapseImpliedConsent, now: now, log: log})
		river.AddWorker(w, &roundWorker[ReverifyArgs]{what: "re-verified addresses", round: o.Service.Reverify, now: now, log: log})
		river.AddWorker(w, &webhookWorker{svc: o.Service, now: now, log: log})
		if o.Verifier != nil {
			river.AddWorker(w, &verifyWorker{v: o.Verifier, log: log})
		}
		addImportWorker(w, o, log)
		cfg.Workers = w
		cfg.Queues = map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: 4}}
		addCampaignWorker(w, cfg, o, log)
		cfg.PeriodicJobs = periodicJobs(o.Periods.withDefaults())
		addAuditPrune(w, cfg, o.Service, o.Periods.AuditPrune, now, log)
		addBounceMaildir(w, cfg, o.Service, log)
		addBouncePrune(w, cfg, o.Service, now, log)
		addReportCounts(w, cfg, o.Service, now, log)
	}
	rc, err := river.NewClient(drv, cfg)
	if err != nil {
		return nil, fmt.Errorf("create job client: %w", err)
	}
	return &client[TTx]{rc: rc, drv: drv, id: rc.ID()}, nil
}

func (c *client[TTx]) start(ctx context.Context) error         { return c.rc.Start(ctx) }
func (c *client[TTx]) stop(ctx context.Context) error          { return c.rc.Stop(ctx) }
func (c *client[TTx]) stopAndCancel(ctx context.Context) error { return c.rc.StopAndCancel(ctx) }
func (c *client[TTx]) get(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return c.rc.JobGet(ctx, id)
}
func (c *client[TTx]) retry(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return c.rc.JobRetry(ctx, id)
}
func (c *client[TTx]) cancel(ctx context.Context, id int64) (*rivertype.JobRow, error) {
	return c.rc.JobCancel(ctx, id)
}
func (c *client[TTx]) insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (*rivertype.JobInsertResult, error) {
	return c.rc.Insert(ctx, args, opts)
}

func (c *client[TTx]) list(ctx context.Context, f Filter) ([]Job, error) {
	n := f.Limit
	if n <= 0 {
		n = 50
	}
	n = min(n, 1000)
	p := river.NewJobListParams().First(n).OrderBy(river.JobListOrderByID, river.SortOrderDesc)
	if f.Kind != "" {
		p = p.Kinds(f.Kind)
	}
	if f.State != "" {
		p = p.States(rivertype.JobState(f.State))
	} else {
		p = p.States(rivertype.JobStates()...)
	}
	res, err := c.rc.JobList(ctx, p)
	if err != nil {
		return nil, fmt.Errorf("list jobs: %w", err)
	}
	out := make([]Job, 0, len(res.Jobs))
	for _, r := range res.Jobs {
		out = append(out, toJob(r))
	}
	return out, nil
}

// Enqueue inserts a job. It reports duplicate when a unique job of the same kind (and period)
// is already there, in which case nothing was inserted and id is the existing job's.
func (c *Client) Enqueue(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) (id int64, duplicate bool, err error) {
	res, err := c.insert(ctx, args, opts)
	if err != nil {
		return 0, false, fmt.Errorf("enqueue %s job: %w", args.Kind(), err)
	}
	return res.Job.ID, res.UniqueSkippedAsDuplicate, nil
}

// Kinds are the job kinds clearlist runs.
var Kinds = []string{KindDOIExpiry, KindImpliedLapse, KindReverify, KindWebhookDeliver, KindAuditPrune, KindBouncePrune, KindBounceMaildir, KindReportCounts}

// RunNow inserts a one-off job of the kind, worked as soon as a serve process is running,
// besides the periodic ones.
func (c *Client) RunNow(ctx context.Context, kind string) (Job, error) {
	var args river.JobArgs
	switch kind {
	case KindDOIExpiry:
		args = DOIExpiryArgs{}
	case KindImpliedLapse:
		args = ImpliedLapseArgs{}
	case KindReverify:
		args = ReverifyArgs{}
	case KindWebhookDeliver:
		args = WebhookArgs{}
	case KindAuditPrune:
		args = AuditPruneArgs{}
	case KindBouncePrune:
		args = BouncePruneArgs{}
	case KindBounceMaildir: // worked by a serve process with --bounce-maildir
		args = BounceMaildirArgs{}
	case KindReportCounts:
		args = ReportCountsArgs{}
	default:
		return Job{}, fmt.Errorf("job kind %q: give one of %v", kind, Kinds)
	}
	res, err := c.insert(ctx, args, &river.InsertOpts{MaxAttempts: 3})
	if err != nil {
		return Job{}, fmt.Errorf("enqueue %s job: %w", kind, err)
	}
	return toJob(res.Job), nil
}

// atLeast passes on the records of a level or above only.
type atLeast struct {
	slog.Handler
	min slog.Level
}

func (h atLeast) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h atLeast) WithAttrs(as []slog.Attr) slog.Handler {
	return atLeast{h.Handler.WithAttrs(as), h.min}
}

func (h atLeast) WithGroup(name string) slog.Handler {
	return atLeast{h.Handler.WithGroup(name), h.min}
}
