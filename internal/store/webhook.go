package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/webhook"
)

// Webhook is an outgoing webhook of a workspace (moved to the webhook package).
type Webhook = webhook.Webhook

// WebhookDelivery is one event for one webhook (moved to the webhook package).
type WebhookDelivery = webhook.Delivery

// CreateWebhook adds a webhook with a fresh secret, returned once in the Webhook.
func (s *Store) CreateWebhook(ctx context.Context, ws int64, url string) (Webhook, error) {
	h := Webhook{WorkspaceID: ws, URL: url, Secret: make([]byte, 32), CreatedAt: now()}
	if _, err := rand.Read(h.Secret); err != nil {
		return Webhook{}, err
	}
	// The wrapped secret names its row's id, known once the row is written: the row gets an
	// empty secret first and its (wrapped) secret in the same transaction.
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		id, err := s.insertID(ctx, tx, `INSERT INTO webhooks (workspace_id, url, secret, created_at) VALUES (?, ?, ?, ?)`,
			ws, url, []byte{}, h.CreatedAt)
		if err != nil {
			return err
		}
		h.ID = id
		stored, err := s.seal(h.Secret, webhookAAD(id))
		if err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, s.q(`UPDATE webhooks SET secret = ? WHERE id = ?`), stored, id); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, ws, "webhook.create", "webhook", id, audit.Set("url", url))
	})
	if err != nil {
		return Webhook{}, fmt.Errorf("create webhook: %w", err)
	}
	return h, nil
}

// Webhooks lists the workspace's webhooks, disabled ones too.
func (s *Store) Webhooks(ctx context.Context, ws int64) ([]Webhook, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, workspace_id, url, secret, created_at, disabled_at
		FROM webhooks WHERE workspace_id = ? ORDER BY id`), ws)
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	var out []Webhook
	for rows.Next() {
		var h Webhook
		var dis nullTime
		if err := rows.Scan(&h.ID, &h.WorkspaceID, &h.URL, &h.Secret, &h.CreatedAt, &dis); err != nil {
			return nil, err
		}
		if h.Secret, err = s.unseal(h.Secret, webhookAAD(h.ID)); err != nil {
			return nil, fmt.Errorf("webhook %d: %w", h.ID, err)
		}
		h.DisabledAt = dis.ptr()
		out = append(out, h)
	}
	return out, rows.Err()
}

// DisableWebhook stops deliveries to a webhook; its log stays.
func (s *Store) DisableWebhook(ctx context.Context, ws, id int64) error {
	return s.execAudited(ctx, ws, fmt.Sprintf("webhook %d", id), "webhook.disable", "webhook", id,
		`UPDATE webhooks SET disabled_at = ? WHERE workspace_id = ? AND id = ? AND disabled_at IS NULL`, []any{now(), ws, id})
}

// webhookEventBatch bounds the entries of one delivery body.
const webhookEventBatch = 1000

// webhookEvent is the JSON body of a delivery.
type webhookEvent struct {
	Event        string        `json:"event"`
	At           time.Time     `json:"at"`
	Suppressions []Suppression `json:"suppressions"`
}

// enqueueWebhooks writes one delivery per live webhook of the workspace for the entries (in
// bodies of at most webhookEventBatch), inside the transaction of the change.
func (s *Store) enqueueWebhooks(ctx context.Context, tx *sql.Tx, ws int64, event string, entries []Suppression, at time.Time) error {
	if ws == InstanceWorkspace || len(entries) == 0 {
		return nil
	}
	var hooks int
	if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM webhooks WHERE workspace_id = ? AND disabled_at IS NULL`), ws).Scan(&hooks); err != nil || hooks == 0 {
		return err
	}
	for start := 0; start < len(entries); start += webhookEventBatch {
		body, err := json.Marshal(webhookEvent{Event: event, At: at, Suppressions: entries[start:min(start+webhookEventBatch, len(entries))]})
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO webhook_deliveries (workspace_id, webhook_id, event, body, created_at, next_at)
			SELECT workspace_id, id, ?, ?, ?, ? FROM webhooks WHERE workspace_id = ? AND disabled_at IS NULL`),
			event, string(body), at, at, ws); err != nil {
			return fmt.Errorf("queue webhook: %w", mapErr(err))
		}
	}
	return nil
}

// bulkEvent is the body of a bulk add's one delivery.
type bulkEvent struct {
	Event   string    `json:"event"`
	At      time.Time `json:"at"`
	Count   int       `json:"count"`
	FirstID int64     `json:"first_id"`
	LastID  int64     `json:"last_id"`
	Detail  string    `json:"detail"`
}

// enqueueSummary writes one suppression.bulk_added delivery per live webhook for entries.
func (s *Store) enqueueSummary(ctx context.Context, tx *sql.Tx, ws int64, entries []Suppression, detail string, at time.Time) error {
	if ws == InstanceWorkspace || len(entries) == 0 {
		return nil
	}
	ev := bulkEvent{Event: "suppression.bulk_added", At: at, Count: len(entries), FirstID: entries[0].ID, LastID: entries[0].ID, Detail: detail}
	for _, e := range entries {
		ev.FirstID, ev.LastID = min(ev.FirstID, e.ID), max(ev.LastID, e.ID)
	}
	body, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO webhook_deliveries (workspace_id, webhook_id, event, body, created_at, next_at)
		SELECT workspace_id, id, ?, ?, ?, ? FROM webhooks WHERE workspace_id = ? AND disabled_at IS NULL`),
		ev.Event, string(body), at, at, ws)
	return mapErr(err)
}

// ClaimDeliveries returns up to limit deliveries that are due, with their webhook, and pushes
// their next attempt lease ahead so that another worker does not take them meanwhile.
func (s *Store) ClaimDeliveries(ctx context.Context, at time.Time, lease time.Duration, limit int) ([]WebhookDelivery, []Webhook, error) {
	var ds []WebhookDelivery
	var hs []Webhook
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		lock := s.sql.skipLocked("d")
		rows, err := tx.QueryContext(ctx, s.q(`SELECT d.id, d.workspace_id, d.webhook_id, d.event, d.body, d.created_at, d.attempts,
			h.url, h.secret FROM webhook_deliveries d JOIN webhooks h ON h.id = d.webhook_id
			WHERE d.delivered_at IS NULL AND d.failed_at IS NULL AND d.next_at <= ? AND h.disabled_at IS NULL
			ORDER BY d.next_at, d.id LIMIT ?`+lock), at, limit)
		if err != nil {
			return err
		}
		for rows.Next() {
			var d WebhookDelivery
			var h Webhook
			if err := rows.Scan(&d.ID, &d.WorkspaceID, &d.WebhookID, &d.Event, &d.Body, &d.CreatedAt, &d.Attempts, &h.URL, &h.Secret); err != nil {
				rows.Close()
				return err
			}
			h.ID, h.WorkspaceID = d.WebhookID, d.WorkspaceID
			if h.Secret, err = s.unseal(h.Secret, webhookAAD(h.ID)); err != nil {
				rows.Close()
				return fmt.Errorf("webhook %d: %w", h.ID, err)
			}
			ds, hs = append(ds, d), append(hs, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, d := range ds {
			if _, err := tx.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET next_at = ? WHERE id = ?`), at.Add(lease), d.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, fmt.Errorf("claim webhook deliveries: %w", err)
	}
	return ds, hs, nil
}

// RecordDelivery logs an attempt: delivered, retried at next, or given up (failed) when
// next is zero.
func (s *Store) RecordDelivery(ctx context.Context, id int64, status int, errText string, delivered bool, next time.Time) error {
	n := now()
	var deliveredAt, failedAt any
	switch {
	case delivered:
		deliveredAt = n
	case next.IsZero():
		failedAt = n
	}
	nextAt := next
	if nextAt.IsZero() {
		nextAt = n
	}
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = ?, last_error = ?,
		delivered_at = ?, failed_at = ?, next_at = ? WHERE id = ?`), status, errText, deliveredAt, failedAt, nextAt.UTC(), id)
	return err
}

// Deliveries returns a webhook's delivery log, newest first, from the delivery before id
// before (0: the newest).
func (s *Store) Deliveries(ctx context.Context, ws, webhookID, before int64, limit int) ([]WebhookDelivery, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, workspace_id, webhook_id, event, body, created_at, attempts, next_at,
		delivered_at, failed_at, last_status, last_error FROM webhook_deliveries
		WHERE workspace_id = ? AND webhook_id = ? AND id < ? ORDER BY id DESC LIMIT ?`), ws, webhookID, before, limit)
	if err != nil {
		return nil, fmt.Errorf("read webhook deliveries: %w", err)
	}
	defer rows.Close()
	var out []WebhookDelivery
	for rows.Next() {
		var d WebhookDelivery
		var del, fail nullTime
		if err := rows.Scan(&d.ID, &d.WorkspaceID, &d.WebhookID, &d.Event, &d.Body, &d.CreatedAt, &d.Attempts, &d.NextAt,
			&del, &fail, &d.LastStatus, &d.LastError); err != nil {
			return nil, err
		}
		d.DeliveredAt, d.FailedAt = del.ptr(), fail.ptr()
		out = append(out, d)
	}
	return out, rows.Err()
}
