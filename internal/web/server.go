// Package web serves clearlist over HTTP: the JSON API under /api/v1 with its OpenAPI
// document, health and metrics.
package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/report"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/reporting"
	"github.com/clearlist/clearlist/internal/transactional"
	"github.com/clearlist/clearlist/internal/user"
	"github.com/clearlist/clearlist/internal/webhook"
	wsp "github.com/clearlist/clearlist/internal/workspace"
	"github.com/prometheus/client_golang/prometheus"
)

// Importer is the import service as the API uses it.
type Importer interface {
	// Start runs an uploaded import in the background and returns its tracking row at once.
	Start(ctx context.Context, req contact.ImportRequest) (imports.Import, error)
	// Get returns one import of the workspace.
	Get(ctx context.Context, ws, id int64) (imports.Import, error)
	// Cancel cancels a queued or running import of the workspace (imports.ErrNotCancellable
	// when it has ended) and returns it.
	Cancel(ctx context.Context, ws, id int64) (imports.Import, error)
}

// Config says where and how the server runs.
type Config struct {
	Addr           string                      // listen address, e.g. ":8080" (used by the caller to open the listener)
	DataDir        string                      // uploaded files go to DataDir/uploads
	MaxUploadBytes int64                       // largest import upload; 0 means 2 GiB
	DefaultRegion  string                      // ISO 3166 region for phone numbers written without +CC
	Logger         *slog.Logger                // nil means slog.Default()
	Eligibility    Eligibility                 // answers GET /api/v1/eligibility; nil answers 503
	Health         func(context.Context) error // answers GET /healthz: nil when the database answers; nil means always healthy
	Consents       *consent.Service            // the consent ledger and purposes; nil leaves their routes out
	Contacts       *contact.Service            // contacts, lists and sources (/api/v1/contacts, /lists, /sources); nil leaves them out
	Suppressions   Suppressions                // the do-not-contact list; nil leaves its routes out
	Verifier       Verifier                    // address verification; nil leaves its routes out
	Jobs           Jobs                        // the background jobs (GET /api/v1/jobs); nil leaves the route out
	Tokens         Tokens                      // authenticates API tokens; nil refuses every token
	Audit          AuditTrail                  // the audit trail (GET /api/v1/audit); nil leaves the route out
	Campaigns      *campaign.Service           // campaigns and templates (/api/v1/campaigns, /templates); nil leaves them out
	Reports        *report.Service             // campaign reports (/api/v1/campaigns/{id}/report…); nil leaves them out
	Transactional  *transactional.Service      // service messages sent at once (/api/v1/transactional); nil leaves them out
	Bounces        *bounce.Service             // delivery events and replies to review (/api/v1/bounce/…); nil leaves them out
	Collectors     []prometheus.Collector      // further metrics for /metrics (the app's)
	DOI            DoubleOptIn                 // the public subscribe and confirm pages; nil leaves them out
	PublicURL      string                      // base URL of links and evidence, e.g. https://lists.example.com
	PublicRate     int                         // public POSTs allowed per client IP and minute; 0 means 30
	Unsubscribe    Unsubscriber                // the unsubscribe links of campaign messages (/u/{token}); nil leaves them out
	Tracker        Tracker                     // opens and clicks of campaign messages (/o/{token}, /c/{token}); nil leaves them out
	Hooks          http.Handler                // the mail providers' event webhooks (/hooks/{provider}/{workspace}, esp.Handler); nil leaves them out
	Users          Users                       // people signing in to the admin UI (/login, /ui/); nil leaves the UI out

	ClientTimeout     time.Duration  // time a client without a valid token has to send its request body; 0 means 30 s
	UploadTimeout     time.Duration  // time a client with a valid token has to send its request body (uploads); 0 means 1 h
	MaxPublicRequests int            // requests without a valid token answered at once, more get 503; 0 means 256
	Metrics           MetricsAccess  // who may read /metrics; "" means MetricsToken
	TrustedProxies    []netip.Prefix // reverse proxies whose X-Forwarded-For / Forwarded are believed

	// The admin UI's settings, people and account pages (nil leaves each out).
	Workspaces *wsp.Service       // workspace settings (/ui/settings)
	DKIM       *campaign.DKIMKeys // the workspace's DKIM keys (/ui/settings/dkim)
	TokenAdmin *access.Service    // API tokens: list, create, revoke (/ui/settings/tokens)
	Webhooks   *webhook.Service   // outgoing webhooks (/ui/settings/webhooks)
	Accounts   *user.Service      // the workspace's people and one's own account (/ui/settings/users, /ui/account)
	// Reporting answers the workspace reports of the dashboard and /ui/reports; nil leaves them out.
	Reporting *reporting.Service
}

// defaultMaxUpload is the upload limit when Config leaves it 0.
const defaultMaxUpload = 2 << 30

// shutdownTimeout bounds how long Serve waits for requests in flight after its context ends.
const shutdownTimeout = 15 * time.Second

// Server is clearlist's HTTP front: it holds the routes and their dependencies.
type Server struct {
	cfg     Config
	imp     Importer
	log     *slog.Logger
	metrics *metrics
	handler http.Handler
	public  chan struct{} // one slot per request without a valid token being answered
	// crossOrigin refuses changing browser requests from other sites (the UI's forms, and
	// session-authenticated API calls)
	crossOrigin *http.CrossOriginProtection
	apiRts      []Route // the /api/v1 routes registered, with their roles (written only in New)
	// patterns are all the routes registered (written only in New)
	patterns []string
}

// New builds the server and all its routes.
func New(cfg Config, imp Importer) *Server {
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = defaultMaxUpload
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	cfg.ClientTimeout = cmp.Or(cfg.ClientTimeout, defaultClientTimeout)
	cfg.UploadTimeout = cmp.Or(cfg.UploadTimeout, defaultUploadTimeout)
	cfg.MaxPublicRequests = cmp.Or(cfg.MaxPublicRequests, defaultMaxPublicRequests)
	s := &Server{cfg: cfg, imp: imp, log: cfg.Logger, metrics: newMetrics(cfg.Collectors...),
		public: make(chan struct{}, cfg.MaxPublicRequests), crossOrigin: http.NewCrossOriginProtection()}
	mux := http.NewServeMux()
	s.routes(&router{mux: mux, s: s})
	s.handler = s.observe(s.secureHeaders(s.admit(s.recoverPanics(mux))))
	return s
}

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// uploadDir is where import uploads are written.
func (s *Server) uploadDir() string { return filepath.Join(s.cfg.DataDir, "uploads") }

// Serve answers requests on ln until ctx is cancelled, then lets requests in flight finish
// (for at most 15 s) and returns nil after a clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: min(10*time.Second, s.cfg.ClientTimeout),
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	s.log.Info("http server listening", "addr", ln.Addr().String())
	select {
	case err := <-done:
		return fmt.Errorf("serve http: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	s.log.Info("http server shutting down")
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("shut down http server: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve http: %w", err)
	}
	return nil
}
