package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/errs"
)

// Lease is how long a claimed delivery is kept from other senders while it is sent.
const Lease = time.Minute

// Store is what the webhook service reads and writes; the store implements it.
type Store interface {
	// CreateWebhook adds a webhook with a fresh secret, returned once.
	CreateWebhook(ctx context.Context, ws int64, url string) (Webhook, error)
	Webhooks(ctx context.Context, ws int64) ([]Webhook, error)
	DisableWebhook(ctx context.Context, ws, id int64) error
	// Deliveries returns a webhook's delivery log, newest first, from the delivery before
	// id before (0: the newest).
	Deliveries(ctx context.Context, ws, webhookID, before int64, limit int) ([]Delivery, error)
	// ClaimDeliveries returns up to limit deliveries that are due with their webhooks, and
	// keeps them from other senders for lease.
	ClaimDeliveries(ctx context.Context, at time.Time, lease time.Duration, limit int) ([]Delivery, []Webhook, error)
	// RecordDelivery logs an attempt: delivered, retried at next, or given up when next is
	// zero.
	RecordDelivery(ctx context.Context, id int64, status int, errText string, delivered bool, next time.Time) error
}

// Service manages a workspace's webhooks and sends their deliveries. It is safe for
// concurrent use.
type Service struct {
	st  Store
	hc  *http.Client
	log *slog.Logger
}

// NewService returns the service over st, posting with hc (nil: a client with a 10-second
// timeout).
func NewService(st Store, hc *http.Client, log *slog.Logger) *Service {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{st: st, hc: hc, log: log}
}

// Create adds a webhook posting to rawURL (an absolute http or https URL); the returned
// Webhook carries its signing secret, shown this once.
func (s *Service) Create(ctx context.Context, ws int64, rawURL string) (Webhook, error) {
	if err := CheckURL(rawURL); err != nil {
		return Webhook{}, err
	}
	return s.st.CreateWebhook(ctx, ws, rawURL)
}

// List lists the workspace's webhooks, disabled ones too.
func (s *Service) List(ctx context.Context, ws int64) ([]Webhook, error) {
	return s.st.Webhooks(ctx, ws)
}

// Disable stops deliveries to a webhook; its log stays.
func (s *Service) Disable(ctx context.Context, ws, id int64) error {
	return s.st.DisableWebhook(ctx, ws, id)
}

// Log returns a webhook's latest deliveries (at most limit), newest first.
func (s *Service) Log(ctx context.Context, ws, id int64, limit int) ([]Delivery, error) {
	return s.st.Deliveries(ctx, ws, id, 0, limit)
}

// DeliveryLog returns webhook id of the workspace and a page of its delivery log, newest
// first: at most limit deliveries older than delivery before (0: from the newest). A
// webhook not in the workspace is errs.ErrNotFound. (The admin UI's delivery log and
// GET /api/v1/webhooks/{id}/deliveries.)
func (s *Service) DeliveryLog(ctx context.Context, ws, id, before int64, limit int) (Webhook, []Delivery, error) {
	hs, err := s.st.Webhooks(ctx, ws)
	if err != nil {
		return Webhook{}, nil, err
	}
	i := slices.IndexFunc(hs, func(h Webhook) bool { return h.ID == id })
	if i < 0 {
		return Webhook{}, nil, fmt.Errorf("no webhook %d in this workspace (see `clearlist webhook ls`): %w", id, errs.ErrNotFound)
	}
	ds, err := s.st.Deliveries(ctx, ws, id, before, limit)
	return hs[i], ds, err
}

// Deliver sends the deliveries that are due at now (at most limit) and records each attempt:
// delivered on a 2xx answer, else retried after Backoff, else given up after MaxAttempts. It
// returns how many were delivered and how many failed this round. A sender killed half-way
// leaves its claimed deliveries to be sent again once their Lease is over, with the same
// delivery id.
func (s *Service) Deliver(ctx context.Context, now time.Time, limit int) (sent, failed int, err error) {
	ds, hooks, err := s.st.ClaimDeliveries(ctx, now, Lease, limit)
	if err != nil {
		return 0, 0, err
	}
	for i, d := range ds {
		status, serr := Send(ctx, s.hc, hooks[i].URL, hooks[i].Secret, d.Event, d.ID, []byte(d.Body), time.Now())
		attempt := d.Attempts + 1
		var next time.Time
		errText := ""
		if serr != nil {
			failed++
			errText = serr.Error()
			if attempt < MaxAttempts {
				next = time.Now().Add(Backoff(attempt))
			}
			s.log.Warn("webhook delivery failed", "webhook_id", d.WebhookID, "delivery_id", d.ID, "attempt", attempt,
				"status", status, "err", serr, "gave_up", next.IsZero())
		} else {
			sent++
		}
		if err := s.st.RecordDelivery(ctx, d.ID, status, errText, serr == nil, next); err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, nil
}

// CheckURL accepts absolute http and https URLs only.
func CheckURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook URL %q: give an absolute http:// or https:// URL", raw)
	}
	return nil
}
