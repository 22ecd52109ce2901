package main

import (
	"context"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/config"
)

type serveCmd struct {
	Addr              string        `default:"127.0.0.1:8080" env:"CLEARLIST_ADDR" help:"Address to listen on."`
	ClientTimeout     time.Duration `default:"30s" env:"CLEARLIST_CLIENT_TIMEOUT" help:"Time a client without a valid API token has to send its request; slower ones are disconnected."`
	UploadTimeout     time.Duration `default:"1h" env:"CLEARLIST_UPLOAD_TIMEOUT" help:"Time a client with a valid API token has to send a request body (an import upload)."`
	MaxPublicRequests int           `default:"256" env:"CLEARLIST_MAX_PUBLIC_REQUESTS" help:"Requests without a valid API token answered at once; more get 503 with Retry-After."`
	Metrics           string        `default:"token" enum:"off,token,public" env:"CLEARLIST_METRICS" help:"Who may read /metrics: token (an admin API token), public (anyone; it shows workspace ids and list sizes) or off."`
}

func (c *serveCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.ClientTimeout <= 0 || c.UploadTimeout <= 0 || c.MaxPublicRequests <= 0 {
		return fmt.Errorf("--client-timeout, --upload-timeout and --max-public-requests must be above 0 (e.g. 30s, 1h, 256)")
	}
	// Requests record their token or visitor; what the server does by itself is the system's.
	ctx = audit.WithActor(ctx, audit.Actor{Kind: audit.System, Name: "serve"})
	return withApp(ctx, cfg, func(a *app.App) error {
		a.HTTP = app.HTTPOptions{ClientTimeout: c.ClientTimeout, UploadTimeout: c.UploadTimeout,
			MaxPublicRequests: c.MaxPublicRequests, Metrics: c.Metrics}
		return a.Serve(ctx, c.Addr)
	})
}

type benchCmd struct {
	Import      benchImportCmd      `cmd:"" help:"Import N generated rows (e-mail + 9 attributes) and compare with a plain bulk insert."`
	Eligibility benchEligibilityCmd `cmd:"" help:"Latency of the eligibility API under open-loop load, against a bare net/http handler."`
	Check       benchCheckCmd       `cmd:"" help:"Latency of the do-not-contact check API with millions of entries, against a bare net/http handler."`
	Load        benchLoadCmd        `cmd:"" hidden:"" help:"Send open-loop load to a target file (the child process of bench eligibility)."`
	Send        benchSendCmd        `cmd:"" help:"Send a campaign to N recipients through the real pipeline and relay pool to an SMTP sink in another process, against a bare go-smtp client."`
	Sink        benchSinkCmd        `cmd:"" hidden:"" help:"The SMTP sink of bench send (its child process)."`
	Bounce      benchBounceCmd      `cmd:"" hidden:"" help:"Ingest N generated real-shaped DSNs to a sent campaign through the bounce service."`
	UI          benchUICmd          `cmd:"" name:"ui" help:"Time each admin UI page (p50/p95) with N contacts, signed in, on this engine."`
}
