package app

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/inbound"
)

// startInbound starts the inbound SMTP server of --inbound (nothing without it); stop shuts
// it down gracefully (the messages being received are stored) and returns when it has
// stopped. Calling stop again does nothing.
func (a *App) startInbound(ctx context.Context) (stop func(), err error) {
	if a.Cfg.InboundAddr == "" {
		return func() {}, nil
	}
	o, err := a.inboundOptions()
	if err != nil {
		return nil, err
	}
	if d, err := a.Workspaces.InboundDomains(ctx); err == nil && len(d) == 0 {
		a.Log.Warn("the inbound SMTP server takes mail for no domain yet: set bounce.domain (and inbound.domains) in the workspaces")
	}
	ln, err := net.Listen("tcp", a.Cfg.InboundAddr)
	if err != nil {
		return nil, fmt.Errorf("inbound SMTP: listen on %s: %w (is another mail server on it? choose one with --inbound)", a.Cfg.InboundAddr, err)
	}
	// What the server stores is the system's doing, on behalf of no person.
	ctx, cancel := context.WithCancel(audit.WithActor(ctx, audit.Actor{Kind: audit.System, Name: "inbound-smtp"}))
	srv := inbound.NewServer(a.Bounces, inbound.DomainsFunc(a.Workspaces.InboundDomains), o)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ctx, ln); err != nil {
			a.Log.Error("inbound SMTP stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }, nil
}

// inboundOptions builds the server's options from the configuration.
func (a *App) inboundOptions() (inbound.Options, error) {
	max, err := a.Cfg.InboundMaxBytes()
	if err != nil {
		return inbound.Options{}, err
	}
	o := inbound.Options{Hostname: a.Cfg.InboundHostname, MaxMessageBytes: int64(max), MaxRecipients: a.Cfg.InboundMaxRecipients,
		MaxConnections: a.Cfg.InboundMaxConns, ReadTimeout: a.Cfg.InboundTimeout, WriteTimeout: min(a.Cfg.InboundTimeout, time.Minute),
		Logger: a.Log}
	if a.Cfg.InboundCert != "" {
		if o.TLS, err = inbound.LoadTLS(a.Cfg.InboundCert, a.Cfg.InboundKey); err != nil {
			return o, fmt.Errorf("--inbound-cert/--inbound-key: %w", err)
		}
	}
	return o, nil
}

// PollMaildir ingests the new messages of --bounce-maildir (the bounce_maildir job).
func (s jobService) PollMaildir(ctx context.Context) (int, error) {
	max, err := s.a.Cfg.InboundMaxBytes()
	if err != nil {
		return 0, err
	}
	m := inbound.Maildir{Dir: s.a.Cfg.BounceMaildir, Sink: s.a.Bounces, MaxBytes: max, Log: s.a.Log}
	return m.Poll(ctx)
}

// MaildirPeriod is how often the bounce_maildir job runs; 0 without --bounce-maildir.
func (s jobService) MaildirPeriod() time.Duration {
	if s.a.Cfg.BounceMaildir == "" {
		return 0
	}
	return s.a.Cfg.BounceMaildirEvery
}
