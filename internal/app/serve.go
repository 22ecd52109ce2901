package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
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
	if err := a.wrapStoredKeys(ctx); err != nil {
		ln.Close()
		return err
	}
	bg, stop := context.WithCancel(context.WithoutCancel(ctx))
	defer stop()
	imp := &backgroundImporter{a: a, ctx: bg}
	// Periodic work (double opt-in expiry, implied-consent lapse, re-verification, webhook
	// deliveries) runs as River jobs, shared with the other serve processes on the database.
	jc, stopJobs, err := a.serveJobs(ctx, bg)
	if err != nil {
		ln.Close()
		return err
	}
	doi := a.NewDOI("http://"+addr, a.Sender())
	srv := web.New(web.Config{Addr: addr, DataDir: a.Cfg.DataDir, DefaultRegion: a.Cfg.DefaultRegion, Logger: a.Log,
		Eligibility: a.Elig, Consents: a.Consents, Contacts: a.Contacts, Suppressions: a.Suppressions, Verifier: a.Verify, Collectors: []prometheus.Collector{a.Suppressions.Metrics()}, DOI: doi, PublicURL: doi.PublicURL,
		ClientTimeout: a.HTTP.ClientTimeout, UploadTimeout: a.HTTP.UploadTimeout, MaxPublicRequests: a.HTTP.MaxPublicRequests,
		Metrics: web.MetricsAccess(a.HTTP.Metrics), TrustedProxies: proxies, Jobs: jc,
		Tokens: a.Tokens, Audit: a.Audit}, a.Store, imp)
	syncDone := make(chan struct{})
	// This process's screening indexes catch up with the other processes' writes. Each process
	// refreshes its own (a River job would run on one of them only): see docs/architecture.md.
	go func() { defer close(syncDone); a.Suppressions.KeepCurrent(bg, syncInterval) }()
	if err := imp.recover(bg); err != nil {
		a.Log.Error("resume imports", "err", err)
	}
	a.Log.Info("clearlist serving", "addr", ln.Addr().String(), "db", string(a.Store.Dialect()), "workspace", a.Workspace.Name)
	err = srv.Serve(ctx, ln)
	imp.drain(importDrain, stop)
	stopJobs(context.WithoutCancel(ctx))
	stop()
	<-syncDone
	a.Log.Info("clearlist stopped")
	return err
}

// backgroundImporter runs uploaded imports on their own goroutines, outliving the request.
type backgroundImporter struct {
	a   *App
	ctx context.Context
	wg  sync.WaitGroup
}

// Start checks the upload at once (bad files and columns are answered in the response) and
// then imports it in the background. It owns the uploaded file from here on.
func (b *backgroundImporter) Start(ctx context.Context, req contact.ImportRequest) (store.Import, error) {
	if req.DryRun {
		return store.Import{}, contact.InvalidImport(errors.New("dry_run is not available for uploads; use `clearlist import --dry-run FILE`"))
	}
	if req.ReportPath == "" {
		req.ReportPath = filepath.Join(filepath.Dir(req.Path), filepath.Base(req.Path)+".errors.csv")
	}
	p, err := b.a.prepareImport(ctx, req, 0)
	if err != nil {
		return store.Import{}, err
	}
	if err := b.a.saveUploadJob(p.im, p.req); err != nil {
		// Without its record the import could not be resumed: refuse it now.
		p.file.Close()
		p.done()
		b.a.Store.FinishImport(context.WithoutCancel(ctx), p.im.WorkspaceID, p.im.ID, store.ImportFailed, err.Error(), 0, 0)
		return store.Import{}, err
	}
	b.run(ctx, p)
	return p.im, nil
}

// run imports p on a goroutine of its own, on behalf of the actor of ctx (the token that
// uploaded it, for the audit trail), but not cancelled with ctx: the request has ended by
// then. The upload and its job are removed when the import is done; when it stops early they
// stay for a resume (at the next start, or with `clearlist import --resume ID`).
func (b *backgroundImporter) run(ctx context.Context, p *preparedImport) {
	req := p.req
	jctx := b.ctx
	if audit.HasActor(ctx) {
		jctx = audit.WithActor(jctx, audit.ActorFrom(ctx))
	}
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		sum, err := b.a.runImport(jctx, p)
		log := b.a.Log.With("import", p.im.ID, "file", req.FileName)
		if errors.Is(err, contact.ErrInvalidImport) {
			log.Error("import failed", "err", err)
			b.a.forgetUpload(p.im.ID, req.Path)
			return
		}
		if err != nil {
			log.Error("import stopped; the upload is kept and the import resumes at the next start", "err", err, "path", req.Path)
			return
		}
		b.a.forgetUpload(p.im.ID, req.Path)
		log.Info("import done", "rows", sum.Rows, "inserted", sum.Inserted, "updated", sum.Updated, "failed", sum.Failed, "warnings", sum.Warnings)
		if req.Verify {
			b.a.verifyAfterImport(jctx, p.im.WorkspaceID, req.List, log)
		}
	}()
}

// drain waits for running imports, stopping them if they outlast the grace period.
func (b *backgroundImporter) drain(grace time.Duration, stop context.CancelFunc) {
	done := make(chan struct{})
	go func() { b.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(grace):
		stop()
		<-done
	}
}

// verifyAfterImport checks the addresses of the import's list (or workspace) that were never
// checked, as `clearlist import --verify` does; its results are stored as they come.
func (a *App) verifyAfterImport(ctx context.Context, ws int64, list string, log *slog.Logger) {
	j, err := a.Verify.StartJob(ctx, ws, nil, list, -1)
	if err != nil {
		log.Error("verify imported addresses", "err", err)
		return
	}
	log.Info("verifying imported addresses", "verify_job", j.ID, "addresses", j.Total)
}

// wrapStoredKeys wraps, when serve is given a secret key, the keys still stored in clear (a
// database from before the key, or one a keyless command wrote to), so that a running server
// never leaves them readable in the database file.
func (a *App) wrapStoredKeys(ctx context.Context) error {
	if a.Keys.Key() == nil {
		return nil
	}
	n, err := a.Keys.Wrap(ctx)
	if err != nil {
		// Another process starting with the same key may have wrapped them meanwhile.
		if n, err = a.Keys.Wrap(ctx); err != nil {
			return fmt.Errorf("wrap the keys stored in clear with the secret key: %w", err)
		}
	}
	if n > 0 {
		a.Log.Info("wrapped the keys stored in clear with the secret key", "keys", n)
	}
	return nil
}
