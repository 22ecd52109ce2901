package app

import (
	"context"
	"time"

	"github.com/clearlist/clearlist/internal/jobs"
)

// OpenJobs opens the background-job client on the instance's database, creating River's
// tables on first use. With work set it runs the periodic jobs (serve); without it, it only
// lists, retries and cancels jobs (the command line).
func (a *App) OpenJobs(ctx context.Context, work bool) (*jobs.Client, error) {
	return a.openJobs(ctx, work, a.JobOptions.ID)
}

// openJobs is OpenJobs with the client's ID (its name in the rows of the jobs it runs).
func (a *App) openJobs(ctx context.Context, work bool, id string) (*jobs.Client, error) {
	sqlDB, pool, err := a.st.JobDB(ctx)
	if err != nil {
		return nil, err
	}
	o := a.JobOptions
	if o.Logger == nil {
		o.Logger = a.Log
	}
	o.Service, o.Verifier, o.Imports, o.Campaigns, o.ID = nil, nil, nil, nil, id
	if work {
		o.Verifier = a.Verify
		o.Imports = a.importService()
		o.Campaigns = a.Campaigns
		o.Service = jobService{a: a, maxAge: a.doiWindow()}
		if o.Periods.DOIExpiry == 0 {
			o.Periods.DOIExpiry = expiryInterval
		}
	}
	return jobs.Open(ctx, jobs.DB{SQLite: sqlDB, Postgres: pool}, o)
}

// jobService is the work the periodic jobs do, each a round over every workspace.
type jobService struct {
	a      *App
	maxAge time.Duration
}

func (s jobService) ExpireSignups(ctx context.Context, now time.Time) (int, error) {
	return s.a.Signups.ExpireAll(ctx, s.maxAge, now)
}

func (s jobService) LapseImpliedConsent(ctx context.Context, now time.Time) (int, error) {
	return s.a.Consents.LapseImpliedAll(ctx, now)
}

func (s jobService) Reverify(ctx context.Context, now time.Time) (int, error) {
	return s.a.Verify.Reverify(ctx, s.a.Cfg.ReverifyDays, now)
}

func (s jobService) DeliverWebhooks(ctx context.Context, now time.Time) (int, int, error) {
	return s.a.Webhooks.Deliver(ctx, now, jobs.WebhookRound)
}

// PruneAudit removes the audit entries older than each workspace's audit.retention_days.
func (s jobService) PruneAudit(ctx context.Context, now time.Time) (int, error) {
	return s.a.Audit.PruneAll(ctx, now)
}

// PruneBounceMessages deletes the kept bounce messages older than each workspace's
// bounce.keep_days.
func (s jobService) PruneBounceMessages(ctx context.Context, now time.Time) (int, error) {
	return s.a.Bounces.PruneAll(ctx, now)
}

// JobOps are the people's operations on the jobs of a client (list, retry, cancel, run now),
// each change with its audit entry.
func (a *App) JobOps(c *jobs.Client) *jobs.Ops { return jobs.NewOps(c, a.st) }
