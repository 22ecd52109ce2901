// Package inbound receives what comes back after sending: the SMTP server (for the VERP
// return-path domains and the reply addresses, never an open relay), the Maildir poller for
// senders whose bounces land in a mailbox, and the readers of .eml and mbox files for
// `clearlist bounce ingest`. Every message goes, as received, to a Sink (the bounce
// service), which parses, classifies, stores and acts on it.
package inbound

import (
	"context"
	"errors"

	"github.com/clearlist/clearlist/internal/bounce"
)

// Sink takes in one received message (bounce.Service). An error is taken as transient (the
// sender is told to try again later, 451) unless it says it is permanent: an error with a
// method Permanent() bool that returns true is refused (554) with its text, which must then
// be fit to show to the sending server.
type Sink interface {
	IngestMessage(ctx context.Context, raw []byte, via string) (bounce.IngestResult, error)
}

// Domains tells which recipient domains are ours: every workspace's bounce.domain and the
// inbound.domains it lists. The server refuses mail to any other domain.
type Domains interface {
	Domains(ctx context.Context) ([]string, error)
}

// DomainsFunc is a function as Domains.
type DomainsFunc func(ctx context.Context) ([]string, error)

// Domains calls f.
func (f DomainsFunc) Domains(ctx context.Context) ([]string, error) { return f(ctx) }

// Permanent reports whether an error of the Sink is permanent: the message will never be
// taken in, and retrying it is pointless.
func Permanent(err error) bool {
	var p interface{ Permanent() bool }
	return errors.As(err, &p) && p.Permanent()
}
