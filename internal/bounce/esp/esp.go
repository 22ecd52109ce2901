// Package esp receives the mail providers' event webhooks (Amazon SES through SNS, SendGrid,
// Mailgun, Postmark) at POST /hooks/{provider}/{workspace}: it checks each request's
// signature or credentials against the workspace's settings, refuses replays, and decodes
// the provider's events into bounce.Event for the bounce service to record.
//
// The URL is public and its callers are strangers until their signature checks out: bodies
// are bounded, errors say what is wrong without telling what was expected, and nothing is
// recorded before the check.
package esp

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/clearlist/clearlist/internal/bounce"
)

// Sink records decoded events (bounce.Service): it finds campaign and contact, stores the
// events and acts on them, each event once per (workspace, Via, ExternalID).
type Sink interface {
	Record(ctx context.Context, ws int64, evs []bounce.Event) ([]bounce.EventResult, error)
}

// Config reads the workspace's webhook settings (workspace.Service); SecretSetting gives
// a secret's clear value, which this package never logs or shows.
type Config interface {
	Setting(ctx context.Context, ws int64, name string) (string, bool, error)
	SecretSetting(ctx context.Context, ws int64, name string) (string, bool, error)
}

// Nonces remembers the signature nonces already taken (store.Store): a Mailgun token, an SNS
// MessageId, a SendGrid body hash. ClaimWebhookNonce reports false for one already held.
type Nonces interface {
	ClaimWebhookNonce(ctx context.Context, ws int64, via, nonce string, now, expires time.Time) (bool, error)
	ReleaseWebhookNonce(ctx context.Context, ws int64, via, nonce string) error
}

// ErrNoWorkspace is what Handler.Workspace returns (wrapped or not) for a name that names no
// workspace.
var ErrNoWorkspace = errors.New("no such workspace")

// MaxBody bounds a webhook request's body: SendGrid batches, the largest, stay well below.
const MaxBody = 1 << 20

// The replay windows: a signed timestamp older than this is refused, and its nonce is
// remembered as long. SNS retries a delivery for up to an hour with the same signature.
const (
	Window    = 5 * time.Minute
	SNSWindow = time.Hour
	// clockSkew is how far in the future a signed timestamp may be (clocks differ a little).
	clockSkew = time.Minute
)

// Handler serves POST /hooks/{provider}/{workspace}. Use it by pointer: it caches the SNS
// signing certificates it fetched.
type Handler struct {
	// Workspace finds a workspace's id by its name (the URL's last segment).
	Workspace func(ctx context.Context, name string) (int64, error)
	Settings  Config
	Nonces    Nonces
	Sink      Sink
	// Client fetches SNS signing certificates and confirms SNS subscriptions; nil means a
	// client with a 10 s timeout. Tests give one that reaches a local server.
	Client *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Log receives the failures a person should look at (never a secret); nil discards them.
	Log Logger

	certs certCache
}

// Logger is the part of *slog.Logger the handler uses.
type Logger interface {
	Warn(msg string, args ...any)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) client() *http.Client {
	if h.Client != nil {
		return h.Client
	}
	return defaultClient
}

var defaultClient = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func (h *Handler) warn(msg string, args ...any) {
	if h.Log != nil {
		h.Log.Warn(msg, args...)
	}
}
