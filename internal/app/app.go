// Package app is the composition root: it builds the store and the services from the
// configuration and runs what the command line asks for.
package app

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/report"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/keywrap"
	"github.com/clearlist/clearlist/internal/reporting"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/track"
	"github.com/clearlist/clearlist/internal/transactional"
	"github.com/clearlist/clearlist/internal/unsub"
	"github.com/clearlist/clearlist/internal/user"
	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/web"
	"github.com/clearlist/clearlist/internal/webhook"
	"github.com/clearlist/clearlist/internal/workspace"
)

// App is an opened clearlist instance working in one workspace.
type App struct {
	Cfg       config.Config
	st        *store.Store // the database; only the services (and app's own tests) touch it
	Log       *slog.Logger
	Workspace workspace.Workspace
	HTTP      HTTPOptions // serve's client limits and /metrics access; zero values take the defaults
	// JobOptions tune serve's background jobs (periods, clock); zero values take the defaults.
	JobOptions jobs.Options

	// Elig answers whether contacts may be contacted (the one policy evaluation).
	Elig *eligibility.Service
	// Consents keeps the consent ledger, purposes and legitimate-interest records.
	Consents *consent.Service
	// Signups is double opt-in (sign-up, confirmation, expiry) with the configured mail
	// transport; serve builds its own for the public pages, with its address as link base.
	Signups *signup.Service
	// Contacts holds the rules of contacts, lists, attributes and sources (API and CLI).
	Contacts *contact.Service
	// Suppressions runs the do-not-contact list and its in-memory screening indexes.
	Suppressions *suppress.Service
	// Tokens creates, lists, revokes and authenticates API tokens.
	Tokens *access.Service
	// Users manages the people who sign in to the admin UI, their roles and sessions.
	Users *user.Service
	// Audit reads, verifies and prunes the audit trail.
	Audit *audit.Service
	// Keys shows and changes whether the stored secrets are wrapped with the secret key.
	Keys *keywrap.Service
	// Workspaces manages the workspaces and their settings (checked on the way in).
	Workspaces *workspace.Service
	// Verify checks addresses and runs bulk verification jobs (on River).
	Verify *verify.Service
	// Webhooks manages the outgoing webhooks and sends their deliveries.
	Webhooks *webhook.Service
	// Imports runs imports (the command line's, in the foreground) and exports.
	Imports *imports.Service
	// Unsub signs the unsubscribe links of campaign messages and records their clicks.
	Unsub *unsub.Service
	// Track signs the open pixel and tracked links of campaign messages and records them.
	Track *track.Service
	// Campaigns runs e-mail campaigns, their templates and their send jobs.
	Campaigns *campaign.Service
	// Reports answers what became of a campaign (counts, per domain, per hour, buckets).
	Reports *report.Service
	// Transactional sends service messages at once, on their own stream.
	Transactional *transactional.Service
	// Bounces turns delivery events (DSNs, complaints, replies, provider webhooks) into list
	// hygiene: events, undeliverable contacts, do-not-contact entries, the campaign guard.
	Bounces *bounce.Service
	// DKIM keeps the workspace's DKIM signing keys (`clearlist keys dkim`).
	DKIM *campaign.DKIMKeys
	// Reporting answers the workspace-wide reports (audience, consent coverage, DNC intake).
	Reporting *reporting.Service

	composer *campaign.Composer // renders campaign messages; serve gives it the public URL

	pool  *deliver.Pool   // the campaign relays; nil: campaigns use the outbox
	dkim  *deliver.Signer // signs campaign messages without a signature (SignCampaignsWith)
	queue jobQueue        // the job client verification jobs are enqueued on
	drain time.Duration   // how long serve's running jobs may go on at shutdown; 0 means importDrain

	// served is the HTTP server ServeListener runs (tests walk the routes it registered).
	served atomic.Pointer[web.Server]
}

// Open validates the configuration, opens the database (running migrations) and selects the
// workspace, which must exist (workspaces are created only by CreateWorkspace, so that a
// mistyped --workspace never starts an empty one).
func Open(ctx context.Context, cfg config.Config) (*App, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var opts []store.Option
	key, err := cfg.WrapKey()
	if err != nil {
		return nil, err
	}
	if key != nil {
		opts = append(opts, store.WithSecretKey(key))
	}
	st, err := store.Open(ctx, cfg.DB, opts...)
	if err != nil {
		return nil, err
	}
	wss := workspace.New(st)
	w, err := wss.Select(ctx, cfg.Workspace)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &App{Cfg: cfg, st: st, Log: cfg.Logger(), Workspace: w}
	a.queue.a = a
	a.Suppressions = suppress.New(st, suppress.Options{Region: cfg.DefaultRegion}, a.Log)
	a.Elig = eligibility.New(st, a.Suppressions, wss)
	a.Contacts = contact.New(st, cfg.DefaultRegion)
	a.Tokens = access.New(st)
	a.Users = user.New(st, user.Options{})
	a.Audit = audit.NewService(st)
	a.Keys = keywrap.NewService(st, key)
	a.Workspaces = wss
	a.Verify = a.newVerify()
	a.Webhooks = webhook.NewService(st, nil, a.Log)
	a.Consents = consent.New(st, a.Elig)
	a.Signups = a.NewDOI("", a.Sender())
	a.Imports = a.importService()
	a.Unsub = unsub.New(st, a.Suppressions).WithEvents(st)
	a.Track = track.New(st)
	if err := a.openPool(); err != nil {
		st.Close()
		return nil, err
	}
	a.Campaigns = a.newCampaigns()
	a.Reports = report.New(st, a.Workspaces)
	a.Transactional = a.newTransactional()
	a.Bounces = a.newBounces()
	a.Reporting = reporting.New(st, nil)
	return a, nil
}

// Ping reports whether the database answers (the server's health check).
func (a *App) Ping(ctx context.Context) error { return a.st.DB().PingContext(ctx) }

// BenchStore is the database for package bench's seeding (bench.Seeder) only: commands and
// handlers call the services.
func (a *App) BenchStore() *store.Store { return a.st }

// Dialect names the database engine (sqlite or postgres).
func (a *App) Dialect() string { return string(a.st.Dialect()) }

// newVerify builds the verification service from a.Cfg.
func (a *App) newVerify() *verify.Service {
	return verify.NewService(a.st, verify.Config{DNSServer: a.Cfg.DNSServer, ProbeHelo: a.Cfg.ProbeHelo,
		ProbeFrom: a.Cfg.ProbeFrom, MailFrom: a.Cfg.MailFrom, Logger: a.Log, Settings: a.Workspaces}, &a.queue)
}

// Close releases the job client opened to enqueue jobs, if any, and the database.
func (a *App) Close() error {
	a.queue.close()
	if a.pool != nil {
		a.pool.Close() // QUIT on the idle relay connections
	}
	return a.st.Close()
}

// DatabaseExists reports whether the database named by dsn is there to be opened without
// creating it (a PostgreSQL URL always is; a SQLite file when the file exists).
func DatabaseExists(dsn string) bool { return store.Exists(dsn) }
