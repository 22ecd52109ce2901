package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/contact"
)

// RecordBounceEvent stores one delivery event and what it does, in one transaction with its
// audit entry: the contact set to bounced (only from active: a do-not-contact status stays),
// the prepared do-not-contact entries, the review queued. An event whose (via, external id)
// the workspace has already is a duplicate: nothing is written.
func (s *Store) RecordBounceEvent(ctx context.Context, c bounce.Change) (bounce.Recorded, bool, error) {
	var rec bounce.Recorded
	dup := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		rec, dup, _, err = s.recordBounceEventTx(ctx, tx, nil, c)
		return err
	})
	if err != nil {
		return bounce.Recorded{}, false, fmt.Errorf("record %s event: %w", c.Event.Kind, err)
	}
	return rec, dup, nil
}

// recordBounceEventTx writes one event and what it does in tx and returns its action (a soft
// bounce's decided here, after counting the earlier ones under the workspace's audit lock,
// which every event's transaction takes anyway). buf is the batch's audit buffer, or nil.
func (s *Store) recordBounceEventTx(ctx context.Context, tx *sql.Tx, buf *auditBuffer, c bounce.Change) (bounce.Recorded, bool, string, error) {
	var rec bounce.Recorded
	e := c.Event
	if c.Soft != nil {
		if err := buf.lock(ctx, s, tx, e.WorkspaceID); err != nil {
			return rec, false, "", err
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM events WHERE workspace_id = ? AND address = ? AND kind = 'bounced'
			AND NOT hard AND at >= ?`), e.WorkspaceID, e.Address, c.Soft.Since.UTC()).Scan(&n); err != nil {
			return rec, false, "", err
		}
		action, note, sup := c.Soft.Decide(n)
		e.Action = action
		if !sup {
			c.Suppress = nil
		} else {
			c.Suppress = append([]Suppression(nil), c.Suppress...)
			for i := range c.Suppress {
				c.Suppress[i].Note = note
			}
		}
	}
	var contactID sql.NullInt64
	if e.ContactID != 0 {
		contactID = sql.NullInt64{Int64: e.ContactID, Valid: true}
	}
	err := tx.QueryRowContext(ctx, s.q(`INSERT INTO events (workspace_id, campaign_id, contact_id, kind, at, reason, hard,
		status, via, external_id, address, transactional_id, detail, action)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`),
		e.WorkspaceID, e.CampaignID, contactID, e.Kind, e.At.UTC(), e.Reason, e.Hard, e.Status, e.Via, e.ExternalID,
		e.Address, e.TransactionalID, e.Detail, e.Action).Scan(&rec.EventID)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, true, e.Action, nil
	}
	if err != nil {
		return rec, false, "", mapErr(err)
	}
	if c.MarkBounced && e.ContactID != 0 {
		if rec.Bounced, err = s.markBouncedTx(ctx, tx, e.WorkspaceID, e.ContactID, e.Reason); err != nil {
			return rec, false, "", err
		}
	}
	if len(c.Suppress) > 0 {
		if rec.Added, err = s.addSuppressionsTx(ctx, tx, e.WorkspaceID, c.Suppress, "", false, now()); err != nil {
			return rec, false, "", err
		}
	}
	if r := c.Review; r != nil {
		if rec.ReviewID, err = s.insertID(ctx, tx, `INSERT INTO bounce_reviews (workspace_id, event_id, campaign_id, contact_id,
			address, excerpt, matched, received_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.WorkspaceID, rec.EventID,
			r.CampaignID, r.ContactID, r.Address, r.Excerpt, r.Matched, r.ReceivedAt.UTC(), bounce.ReviewPending); err != nil {
			return rec, false, "", err
		}
	}
	return rec, false, e.Action, s.auditTx(ctx, tx, e.WorkspaceID, "bounce.event", "event", rec.EventID, bounceEventAudit(e, rec.ReviewID)...)
}

// markBouncedTx sets an active contact to bounced, recording the status change and its audit
// entry; a contact of another status is left as it is.
func (s *Store) markBouncedTx(ctx context.Context, tx *sql.Tx, ws, id int64, reason string) (bool, error) {
	var from string
	err := tx.QueryRowContext(ctx, s.q(`SELECT status FROM contacts WHERE workspace_id = ? AND id = ?`+s.sql.forUpdate), ws, id).Scan(&from)
	if errors.Is(err, sql.ErrNoRows) || err == nil && from != string(contact.StatusActive) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	at := now()
	why := bouncedWhy(reason)
	if _, err := tx.ExecContext(ctx, s.q(`UPDATE contacts SET status = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`),
		string(contact.StatusBounced), at, ws, id); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO contact_status_changes (workspace_id, contact_id, from_status,
		to_status, changed_by, reason, changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		ws, id, from, string(contact.StatusBounced), bounce.RecordedBy, why, at); err != nil {
		return false, err
	}
	return true, s.auditTx(ctx, tx, ws, "contact.status", "contact", id, audit.Change{Field: "status", Before: from,
		After: string(contact.StatusBounced)}, audit.Set("reason", why))
}

// SoftBounces counts the address's soft bounces in the workspace since a time.
func (s *Store) SoftBounces(ctx context.Context, ws int64, address string, since time.Time) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM events WHERE workspace_id = ? AND address = ? AND kind = 'bounced'
		AND NOT hard AND at >= ?`), ws, address, since.UTC()).Scan(&n)
	return n, err
}

// SentTo finds the campaign's delivery to a contact.
func (s *Store) SentTo(ctx context.Context, ws, campaign, contactID int64) (bounce.Sent, error) {
	out := bounce.Sent{WorkspaceID: ws, CampaignID: campaign, ContactID: contactID}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT address FROM deliveries WHERE campaign_id = ? AND contact_id = ? AND workspace_id = ?`),
		campaign, contactID, ws).Scan(&out.Address)
	return out, mapErr(err)
}

// SentToAddress finds the campaign's delivery to an address (as sent, lower-cased, or its
// contact's canonical form), or with campaign 0 the workspace's contact of that address.
func (s *Store) SentToAddress(ctx context.Context, ws, campaign int64, address, canonical string) (bounce.Sent, error) {
	out := bounce.Sent{WorkspaceID: ws, CampaignID: campaign}
	var err error
	if campaign != 0 {
		err = s.db.QueryRowContext(ctx, s.q(`SELECT d.contact_id, d.address FROM deliveries d
			LEFT JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
			WHERE d.campaign_id = ? AND d.workspace_id = ? AND (LOWER(d.address) = LOWER(?) OR c.email_canonical = ?)
			ORDER BY d.contact_id LIMIT 1`), campaign, ws, address, canonical).Scan(&out.ContactID, &out.Address)
	} else {
		err = s.db.QueryRowContext(ctx, s.q(`SELECT id, email FROM contacts WHERE workspace_id = ? AND email_canonical = ?`),
			ws, canonical).Scan(&out.ContactID, &out.Address)
	}
	return out, mapErr(err)
}

// SentByMessageID finds a campaign delivery, else a transactional message, by its
// Message-ID, in the workspace (any workspace when ws is 0).
func (s *Store) SentByMessageID(ctx context.Context, ws int64, messageID string) (bounce.Sent, error) {
	var out bounce.Sent
	err := s.db.QueryRowContext(ctx, s.q(`SELECT workspace_id, campaign_id, contact_id, address FROM deliveries
		WHERE message_id = ? AND (? = 0 OR workspace_id = ?) LIMIT 1`), messageID, ws, ws).Scan(
		&out.WorkspaceID, &out.CampaignID, &out.ContactID, &out.Address)
	if !errors.Is(err, sql.ErrNoRows) {
		return out, mapErr(err)
	}
	var id int64
	err = s.db.QueryRowContext(ctx, s.q(`SELECT workspace_id, id FROM transactional_sends WHERE message_id = ? AND (? = 0 OR workspace_id = ?)
		LIMIT 1`), messageID, ws, ws).Scan(&out.WorkspaceID, &id)
	if err != nil {
		return bounce.Sent{}, mapErr(err)
	}
	return s.TransactionalSent(ctx, out.WorkspaceID, id)
}

// TransactionalSent finds a transactional message by id, with the contact of its address
// when the workspace has one.
func (s *Store) TransactionalSent(ctx context.Context, ws, id int64) (bounce.Sent, error) {
	out := bounce.Sent{WorkspaceID: ws, TransactionalID: id}
	var contactID sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT t.address, c.id FROM transactional_sends t
		LEFT JOIN contacts c ON c.workspace_id = t.workspace_id AND c.email_canonical = LOWER(t.address)
		WHERE t.workspace_id = ? AND t.id = ?`), ws, id).Scan(&out.Address, &contactID)
	out.ContactID = contactID.Int64
	return out, mapErr(err)
}

// SaveInbound keeps a received message; the same bytes kept already return that message's
// id and dup true.
func (s *Store) SaveInbound(ctx context.Context, m bounce.Inbound) (int64, bool, error) {
	var id int64
	err := s.db.QueryRowContext(ctx, s.q(`INSERT INTO inbound_messages (received_at, via, size, sha256, raw)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`), m.ReceivedAt.UTC(), m.Via, len(m.Raw), m.SHA256, m.Raw).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		err = s.db.QueryRowContext(ctx, s.q(`SELECT id FROM inbound_messages WHERE sha256 = ?`), m.SHA256).Scan(&id)
		return id, true, mapErr(err)
	}
	return id, false, mapErr(err)
}

// FinishInbound records what a kept message was, whose it is and what it did.
func (s *Store) FinishInbound(ctx context.Context, id, ws int64, kind, outcome string) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE inbound_messages SET workspace_id = ?, kind = ?, outcome = ? WHERE id = ?`),
		ws, kind, outcome, id)
	return err
}

// InboundWorkspaces lists the workspaces (0: none known) that have kept messages.
func (s *Store) InboundWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT workspace_id FROM inbound_messages ORDER BY workspace_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var ws int64
		if err := rows.Scan(&ws); err != nil {
			return nil, err
		}
		out = append(out, ws)
	}
	return out, rows.Err()
}

// PruneInbound deletes the workspace's kept messages received before a time, with an audit
// entry when it deleted any, in one transaction.
func (s *Store) PruneInbound(ctx context.Context, ws int64, before time.Time) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		// The events keep no link to a deleted message (an id SQLite may give again).
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE events SET inbound_id = 0 WHERE inbound_id IN
			(SELECT id FROM inbound_messages WHERE workspace_id = ? AND received_at < ?)`), ws, before.UTC()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM inbound_messages WHERE workspace_id = ? AND received_at < ?`), ws, before.UTC())
		if err != nil {
			return err
		}
		k, _ := res.RowsAffected()
		if n = int(k); n == 0 {
			return nil
		}
		return s.auditTx(ctx, tx, ws, "bounce.prune", "inbound_message", 0, audit.Count("removed", n),
			audit.Set("before", before.UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return 0, fmt.Errorf("prune received messages: %w", err)
	}
	return n, nil
}

const bounceEventColumns = `id, workspace_id, kind, reason, hard, status, via, external_id, address, campaign_id,
	COALESCE(contact_id, 0), transactional_id, detail, action, at`

// BounceEvents lists the workspace's delivery events (not opens or clicks), newest first.
func (s *Store) BounceEvents(ctx context.Context, ws int64, f bounce.EventFilter) ([]bounce.Stored, error) {
	before := f.Before
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+bounceEventColumns+` FROM events
		WHERE workspace_id = ? AND kind IN ('delivered', 'deferred', 'bounced', 'complained', 'replied')
		AND (? = 0 OR campaign_id = ?) AND id < ? ORDER BY id DESC LIMIT ?`), ws, f.CampaignID, f.CampaignID, before, f.Limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []bounce.Stored{}
	for rows.Next() {
		var e bounce.Stored
		if err := rows.Scan(&e.ID, &e.WorkspaceID, &e.Kind, &e.Reason, &e.Hard, &e.Status, &e.Via, &e.ExternalID, &e.Address,
			&e.CampaignID, &e.ContactID, &e.TransactionalID, &e.Detail, &e.Action, &e.At); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

const bounceReviewColumns = `id, workspace_id, event_id, campaign_id, contact_id, address, excerpt, matched, received_at,
	state, decided_by, decided_at`

func scanBounceReview(r rowScanner) (bounce.Review, error) {
	var v bounce.Review
	var decided nullTime
	if err := r.Scan(&v.ID, &v.WorkspaceID, &v.EventID, &v.CampaignID, &v.ContactID, &v.Address, &v.Excerpt, &v.Matched,
		&v.ReceivedAt, &v.State, &v.DecidedBy, &decided); err != nil {
		return v, mapErr(err)
	}
	v.ReceivedAt, v.DecidedAt = v.ReceivedAt.UTC(), decided.ptr()
	return v, nil
}

// BounceReviews lists the workspace's queued replies, oldest first, the pending ones only
// when pendingOnly.
func (s *Store) BounceReviews(ctx context.Context, ws int64, pendingOnly bool) ([]bounce.Review, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+bounceReviewColumns+` FROM bounce_reviews
		WHERE workspace_id = ? AND (? = FALSE OR state = 'pending') ORDER BY id`), ws, pendingOnly)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []bounce.Review{}
	for rows.Next() {
		v, err := scanBounceReview(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// BounceReview returns one queued reply of the workspace.
func (s *Store) BounceReview(ctx context.Context, ws, id int64) (bounce.Review, error) {
	return scanBounceReview(s.db.QueryRowContext(ctx, s.q(`SELECT `+bounceReviewColumns+` FROM bounce_reviews
		WHERE workspace_id = ? AND id = ?`), ws, id))
}

// DecideBounceReview records a person's decision on a pending review and adds the prepared
// entries, in one transaction with its audit entry; bounce.ErrDecided when it is not pending.
func (s *Store) DecideBounceReview(ctx context.Context, ws, id int64, state, by string, entries []Suppression) (bounce.Review, []Suppression, error) {
	var added []Suppression
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		at := now()
		res, err := tx.ExecContext(ctx, s.q(`UPDATE bounce_reviews SET state = ?, decided_by = ?, decided_at = ?
			WHERE workspace_id = ? AND id = ? AND state = 'pending'`), state, by, at, ws, id)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			if _, err := scanBounceReview(tx.QueryRowContext(ctx, s.q(`SELECT `+bounceReviewColumns+` FROM bounce_reviews
				WHERE workspace_id = ? AND id = ?`), ws, id)); err != nil {
				return err
			}
			return bounce.ErrDecided
		}
		if len(entries) > 0 {
			if added, err = s.addSuppressionsTx(ctx, tx, ws, entries, "", false, at); err != nil {
				return err
			}
		}
		return s.auditTx(ctx, tx, ws, "bounce.review", "bounce_review", id, audit.Set("state", state), audit.Set("decided_by", by))
	})
	if err != nil {
		return bounce.Review{}, nil, err
	}
	r, err := s.BounceReview(ctx, ws, id)
	return r, added, err
}
