package app

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/clearlist/clearlist/internal/webhook"
)

// webhookLease is how long a claimed delivery is kept from other workers while it is sent.
const webhookLease = time.Minute

// DeliverWebhooks sends the deliveries that are due (at most limit) and records each attempt:
// delivered on a 2xx answer, else retried after webhook.Backoff, else given up after
// webhook.MaxAttempts. It returns how many were delivered and how many failed this round.
func (a *App) DeliverWebhooks(ctx context.Context, c *http.Client, now time.Time, limit int) (sent, failed int, err error) {
	ds, hooks, err := a.Store.ClaimDeliveries(ctx, now, webhookLease, limit)
	if err != nil {
		return 0, 0, err
	}
	for i, d := range ds {
		status, serr := webhook.Send(ctx, c, hooks[i].URL, hooks[i].Secret, d.Event, d.ID, []byte(d.Body), time.Now())
		attempt := d.Attempts + 1
		var next time.Time
		errText := ""
		if serr != nil {
			failed++
			errText = serr.Error()
			if attempt < webhook.MaxAttempts {
				next = time.Now().Add(webhook.Backoff(attempt))
			}
			a.Log.Warn("webhook delivery failed", "webhook_id", d.WebhookID, "delivery_id", d.ID, "attempt", attempt,
				"status", status, "err", serr, "gave_up", next.IsZero())
		} else {
			sent++
		}
		if err := a.Store.RecordDelivery(ctx, d.ID, status, errText, serr == nil, next); err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, nil
}

// CheckWebhookURL accepts absolute http and https URLs only.
func CheckWebhookURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("webhook URL %q: give an absolute http:// or https:// URL", raw)
	}
	return nil
}
