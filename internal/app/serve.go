package app

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/clearlist/clearlist/internal/web"
	"github.com/prometheus/client_golang/prometheus"
)

// importDrain bounds how long a shutting-down server lets running imports go on before it
// stops them (they keep what they committed and can be resumed).
const importDrain = 20 * time.Second

// syncInterval is how often serve brings its do-not-contact indexes up to date with the
// entries other processes (the CLI, other servers) record; its own apply at once.
const syncInterval = 250 * time.Millisecond

// HTTPOptions are serve's limits on slow and anonymous clients and who may read /metrics.
type HTTPOptions struct {
	ClientTimeout     time.Duration // time a client without a valid token has to send its request body
	UploadTimeout     time.Duration // time a client with a valid token has to send its request body
	MaxPublicRequests int           // requests without a valid token answered at once
	Metrics           string        // off, token or public
}

// Serve runs the HTTP server on addr until ctx is cancelled, then shuts down gracefully.
func (a *App) Serve(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w (is another server running? choose one with --addr)", addr, err)
	}
	return a.ServeListener(ctx, ln)
}

// ServeListener serves on ln until ctx is cancelled, then lets running imports finish (or
// stops them after a grace period; they can be resumed) and returns.
func (a *App) ServeListener(ctx context.Context, ln net.Listener) error {
	addr := ln.Addr().String()
	proxies, err := web.ParseTrustedProxies(a.Cfg.TrustedProxies)
	if err != nil {
		ln.Close()
		return fmt.Errorf("--trusted-proxies: %w", err)
	}
	wrapped, err := a.Keys.WrapLeftInClear(ctx)
	if err != nil {
		ln.Close()
		return err
	}
	if wrapped > 0 {
		a.Log.Info("wrapped the keys stored in clear with the secret key", "keys", wrapped)
	}
	if a.composer.PublicBase == "" { // before the send jobs start: their links need it
		a.composer.PublicBase = "http://" + addr
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	// Periodic work (double opt-in expiry, implied-consent lapse, re-verification, webhook
	// deliveries), verification jobs and uploaded imports run as River jobs, shared with the
	// other serve processes on the database.
	jc, stopJobs, err := a.serveJobs(ctx, bg)
	if err != nil {
		ln.Close()
		return err
	}
	// The inbound SMTP server (--inbound) runs beside the HTTP server (inbound.go).
	stopInbound, err := a.startInbound(ctx)
	if err != nil {
		stopJobs(context.WithoutCancel(ctx))
		ln.Close()
		return err
	}
	defer stopInbound()
	uploads := a.importService().Uploads(jc)
	doi := a.NewDOI("http://"+addr, a.Sender())
	srv := web.New(web.Config{Addr: addr, DataDir: a.Cfg.DataDir, DefaultRegion: a.Cfg.DefaultRegion, Logger: a.Log,
		Eligibility: a.Elig, Consents: a.Consents, Contacts: a.Contacts, Suppressions: a.Suppressions, Verifier: a.Verify, Campaigns: a.Campaigns, Reports: a.Reports, Transactional: a.Transactional, Bounces: a.Bounces, Hooks: a.hooks(), Collectors: []prometheus.Collector{a.Suppressions.Metrics()}, DOI: doi, PublicURL: doi.PublicURL,
		ClientTimeout: a.HTTP.ClientTimeout, UploadTimeout: a.HTTP.UploadTimeout, MaxPublicRequests: a.HTTP.MaxPublicRequests,
		Metrics: web.MetricsAccess(a.HTTP.Metrics), TrustedProxies: proxies, Jobs: a.JobOps(jc),
		Tokens: a.Tokens, Users: a.Users, Audit: a.Audit, Health: a.Ping, Unsubscribe: a.Unsub, Tracker: a.Track,
		Workspaces: a.Workspaces, DKIM: a.DKIM, TokenAdmin: a.Tokens, Webhooks: a.Webhooks, Accounts: a.Users, Reporting: a.Reporting}, uploads)
	a.served.Store(srv)
	syncDone := make(chan struct{})
	// This process's screening indexes catch up with the other processes' writes. Each process
	// refreshes its own (a River job would run on one of them only): see docs/architecture.md.
	go func() { defer close(syncDone); a.Suppressions.KeepCurrent(bg, syncInterval) }()
	// Uploads a stopped server left without a job get one; imports of local files that no
	// process runs any more are marked failed.
	if err := uploads.Recover(bg); err != nil {
		a.Log.Error("resume imports", "err", err)
	}
	if any, err := a.Users.Any(ctx); err == nil && !any {
		a.Log.Warn("no one can sign in to the admin UI yet: create the owner with `clearlist user add EMAIL --role owner`",
			"login", "http://"+addr+"/login")
	}
	a.Log.Info("clearlist serving", "addr", ln.Addr().String(), "db", string(a.st.Dialect()), "workspace", a.Workspace.Name)
	err = srv.Serve(ctx, ln)
	stopInbound() // the messages being received are stored first
	// Running jobs (imports among them) may finish for a while; then they are stopped, an
	// import at a batch boundary, and run again later from where they stopped.
	stopJobs(context.WithoutCancel(ctx))
	stop()
	<-syncDone
	a.Log.Info("clearlist stopped")
	return err
}
