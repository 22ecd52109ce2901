package bench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/inbound"
)

// benchBounceDomain is the VERP domain of the generated DSNs, the inbound server's domain.
const benchBounceDomain = "bounces.sender.example"

// bounceVERPs are the VERP addresses BounceMessages writes, the DSNs' envelope recipients.
func bounceVERPs(key []byte, ws, campaignID int64, rs []campaign.Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = deliver.VERPAddress(key, benchBounceDomain, ws, campaignID, r.ContactID)
	}
	return out
}

// sendSMTP runs the inbound SMTP server over the app's bounce service on 127.0.0.1 and
// sends each message to its recipient over conns concurrent connections (each message
// after the answer to the one before, as a sending MTA does); every message must be
// answered 250. The server is stopped before it returns.
func sendSMTP(ctx context.Context, a *app.App, conns, batch int, rcpts []string, raws [][]byte) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := inbound.NewServer(a.Bounces, inbound.DomainsFunc(func(context.Context) ([]string, error) {
		return []string{benchBounceDomain}, nil
	}), inbound.Options{Hostname: "bench.inbound", MaxConnections: max(conns, inbound.DefaultMaxConnections), BatchMessages: batch})
	sctx, stop := context.WithCancel(audit.WithActor(ctx, audit.Actor{Kind: audit.System, Name: "inbound-smtp"}))
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	defer func() { stop(); <-served }()

	var next atomic.Int64
	errs := make([]error, conns)
	var wg sync.WaitGroup
	for k := range conns {
		wg.Go(func() { errs[k] = sendFrom(ln.Addr().String(), &next, rcpts, raws) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// sendFrom sends the messages it takes from next over one connection.
func sendFrom(addr string, next *atomic.Int64, rcpts []string, raws [][]byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("mx.bench.example"); err != nil {
		return err
	}
	for {
		i := int(next.Add(1)) - 1
		if i >= len(raws) {
			return c.Quit()
		}
		if err := c.SendMail("", []string{rcpts[i]}, bytes.NewReader(raws[i])); err != nil {
			return fmt.Errorf("bench bounce: DSN %d over SMTP: %w", i, err)
		}
	}
}

// countEvents counts the workspace's bounce events and those that made the contact
// undeliverable.
func countEvents(ctx context.Context, a *app.App, ws int64) (events, undeliverable int, err error) {
	f := bounce.EventFilter{Limit: 5000}
	for {
		evs, err := a.Bounces.Events(ctx, ws, f)
		if err != nil || len(evs) == 0 {
			return events, undeliverable, err
		}
		for _, e := range evs {
			events++
			if e.Action == "undeliverable" {
				undeliverable++
			}
		}
		f.Before = evs[len(evs)-1].ID
	}
}
