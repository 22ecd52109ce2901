package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
)

// deliveryIDsPerStatement bounds the ids of one IN list (SQLite allows 32,766 parameters).
const deliveryIDsPerStatement = 1000

// WriteDeliveries writes one batch of a campaign's audience snapshot in one transaction:
// each contact's row with its address as the contact has it now. reset first drops the rows
// of an earlier start that did not complete. It is not audited row by row: the start's
// transition records the counts.
func (s *Store) WriteDeliveries(ctx context.Context, ws, id int64, reset bool, rows []campaign.Snapshot, at time.Time) error {
	type group struct {
		state      campaign.DeliveryState
		why        string
		basis      string
		provenance string
	}
	groups := map[group][]any{}
	var order []group
	for _, r := range rows {
		g := group{r.State, r.Reason, r.Basis, r.Provenance}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], r.ContactID)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		// Only a campaign not yet started takes a snapshot: a second start racing the first
		// must not reset a send log that workers already claim from.
		var state string
		if err := tx.QueryRowContext(ctx, s.q(`SELECT state FROM campaigns WHERE workspace_id = ? AND id = ?`+s.sql.forUpdate),
			ws, id).Scan(&state); err != nil {
			return fmt.Errorf("campaign %d: %w", id, mapErr(err))
		}
		if state != string(campaign.Draft) && state != string(campaign.Scheduled) {
			return fmt.Errorf("campaign %d is %s: its audience is written: %w", id, state, campaign.ErrState)
		}
		if reset {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM deliveries WHERE campaign_id = ? AND workspace_id = ?`), id, ws); err != nil {
				return err
			}
		}
		for _, g := range order {
			ids := groups[g]
			for start := 0; start < len(ids); start += deliveryIDsPerStatement {
				chunk := ids[start:min(start+deliveryIDsPerStatement, len(ids))]
				args := append([]any{id, string(g.state), g.why, g.basis, g.provenance, at, at, ws}, chunk...)
				if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO deliveries (campaign_id, contact_id, workspace_id, address,
					state, reason, basis, provenance, next_attempt_at, updated_at)
					SELECT ?, id, workspace_id, email, ?, ?, ?, ?, ?, ? FROM contacts WHERE workspace_id = ? AND id IN (`+
					marks(len(chunk))+`)`), args...); err != nil {
					return fmt.Errorf("write deliveries: %w", mapErr(err))
				}
			}
		}
		return nil
	})
}

// RecordOutcomes records what became of claimed deliveries, in one transaction. Only rows
// the claim holds change (claimed, sending, or unknown if a sweep took the claim for dead: what
// the worker knows beats the guess).
func (s *Store) RecordOutcomes(ctx context.Context, ws, id int64, claim string, outs []campaign.Outcome) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if s.sql.arrayParams {
			// An outcome lost with a database crash leaves its row in sending, which becomes
			// unknown and is never resent: the record may skip waiting for the disk. (The claim
			// and the in-flight marks may not: a lost one could resend.)
			if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
				return err
			}
		}
		return s.recordOutcomesTx(ctx, tx, ws, id, claim, outs)
	})
	if err != nil {
		return fmt.Errorf("record %d outcomes: %w", len(outs), err)
	}
	return nil
}

// recordOutcomesTx is RecordOutcomes inside tx: one UPDATE … FROM unnest(…) over arrays on
// PostgreSQL (one round trip for the batch), a prepared UPDATE a row on SQLite.
func (s *Store) recordOutcomesTx(ctx context.Context, tx *sql.Tx, ws, id int64, claim string, outs []campaign.Outcome) error {
	if len(outs) == 0 {
		return nil
	}
	// Rows in key order, as every writer of deliveries takes them, so two never deadlock.
	outs = slices.Clone(outs)
	slices.SortFunc(outs, func(a, b campaign.Outcome) int { return cmp.Compare(a.ContactID, b.ContactID) })
	if s.sql.arrayParams {
		return s.recordOutcomesArrays(ctx, tx, ws, id, claim, outs)
	}
	stmt, err := tx.PrepareContext(ctx, s.q(`UPDATE deliveries SET state = ?, reason = ?, smtp_code = ?, message_id = ?,
		attempts = attempts + ?, next_attempt_at = COALESCE(?, next_attempt_at), sent_at = ?,
		claimed_by = CASE WHEN ? = 'queued' THEN '' ELSE claimed_by END, updated_at = ?
		WHERE campaign_id = ? AND contact_id = ? AND workspace_id = ? AND state IN ('claimed', 'sending', 'unknown') AND claimed_by = ?`))
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, o := range outs {
		var next, sent any
		if o.State == campaign.Queued {
			next = o.NextAttemptAt
		}
		if o.State == campaign.Sent {
			sent = o.At
		}
		attempted := 0
		if o.Attempted {
			attempted = 1
		}
		if _, err := stmt.ExecContext(ctx, string(o.State), truncate(o.Reason, 1000), o.SMTPCode, o.MessageID, attempted,
			next, sent, string(o.State), o.At, id, o.ContactID, ws, claim); err != nil {
			return fmt.Errorf("record delivery of contact %d: %w", o.ContactID, err)
		}
	}
	return nil
}

// recordOutcomesArrays is recordOutcomesTx as one statement over arrays (PostgreSQL).
func (s *Store) recordOutcomesArrays(ctx context.Context, tx *sql.Tx, ws, id int64, claim string, outs []campaign.Outcome) error {
	_, err := tx.ExecContext(ctx, outcomesUpdatePG, outcomeArgs(ws, id, claim, outs)...)
	return err
}

// outcomesUpdatePG records outcomes given as arrays ($1–$8) for campaign $9 of workspace $10
// held by claim $11: one UPDATE … FROM unnest(…), usable alone or as a WITH query.
const outcomesUpdatePG = `UPDATE deliveries d SET state = v.state, reason = v.reason, smtp_code = v.code,
		message_id = v.mid, attempts = d.attempts + v.att,
		next_attempt_at = CASE WHEN v.state = 'queued' THEN v.next ELSE d.next_attempt_at END,
		sent_at = CASE WHEN v.state = 'sent' THEN v.at ELSE d.sent_at END,
		claimed_by = CASE WHEN v.state = 'queued' THEN '' ELSE d.claimed_by END, updated_at = v.at
		FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::int[], $7::timestamptz[], $8::timestamptz[])
			AS v(contact_id, state, reason, code, mid, att, next, at)
		WHERE d.campaign_id = $9 AND d.workspace_id = $10 AND d.contact_id = v.contact_id
			AND d.state IN ('claimed', 'sending', 'unknown') AND d.claimed_by = $11`

// outcomeArgs are the eleven parameters of outcomesUpdatePG, the outcomes in key order.
func outcomeArgs(ws, id int64, claim string, outs []campaign.Outcome) []any {
	outs = slices.Clone(outs)
	slices.SortFunc(outs, func(a, b campaign.Outcome) int { return cmp.Compare(a.ContactID, b.ContactID) })
	n := len(outs)
	ids, states, reasons, mids := make([]int64, n), make([]string, n), make([]string, n), make([]string, n)
	codes, atts := make([]int32, n), make([]int32, n)
	nexts, ats := make([]time.Time, n), make([]time.Time, n)
	for i, o := range outs {
		ids[i], states[i], reasons[i], mids[i] = o.ContactID, string(o.State), truncate(o.Reason, 1000), o.MessageID
		codes[i], nexts[i], ats[i] = int32(o.SMTPCode), o.NextAttemptAt, o.At
		if o.Attempted {
			atts[i] = 1
		}
	}
	return []any{ids, states, reasons, codes, mids, atts, nexts, ats, id, ws, claim}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// SendingClaims lists the process claims that hold deliveries of the campaign (claimed or
// sending).
func (s *Store) SendingClaims(ctx context.Context, ws, id int64) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT DISTINCT claimed_by FROM deliveries
		WHERE campaign_id = ? AND workspace_id = ? AND state IN ('claimed', 'sending')`), id, ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MarkInFlight records the outcomes outs (as RecordOutcomes) and moves the claim's claimed
// deliveries of contacts to sending, in one transaction committed durably (synchronous
// commit on PostgreSQL): the worker calls it just before handing them to the transport, so
// that after a crash only these may be unknown; recording the outcomes finished so far in the
// same commit keeps the rows already sent out of the unknowns, for no extra round trip.
// It returns how many moved (fewer when a sweep took the claim for dead).
func (s *Store) MarkInFlight(ctx context.Context, ws, id int64, claim string, outs []campaign.Outcome, contacts []int64, at time.Time) (int, error) {
	var n int64
	if s.sql.arrayParams {
		// One statement, one round trip: the outcomes (a WITH query) and the mark, which touch
		// different rows (sending ones, claimed ones), committed together.
		res, err := s.db.ExecContext(ctx, `WITH rec AS (`+outcomesUpdatePG+` RETURNING 1)
			UPDATE deliveries SET state = 'sending', updated_at = $12 WHERE campaign_id = $9 AND workspace_id = $10
			AND state = 'claimed' AND claimed_by = $11 AND contact_id = ANY($13::bigint[])`,
			append(outcomeArgs(ws, id, claim, outs), at, contacts)...)
		if err != nil {
			return 0, fmt.Errorf("mark %d deliveries of campaign %d in flight: %w", len(contacts), id, err)
		}
		n, _ = res.RowsAffected()
		return int(n), nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.recordOutcomesTx(ctx, tx, ws, id, claim, outs); err != nil {
			return err
		}
		if len(contacts) == 0 {
			return nil
		}
		args := make([]any, 0, len(contacts)+4)
		args = append(args, at, id, ws, claim)
		for _, c := range contacts {
			args = append(args, c)
		}
		res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET state = 'sending', updated_at = ?
			WHERE campaign_id = ? AND workspace_id = ? AND state = 'claimed' AND claimed_by = ? AND contact_id IN (`+
			marks(len(contacts))+`)`), args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("mark %d deliveries of campaign %d in flight: %w", len(contacts), id, err)
	}
	return int(n), nil
}

// MarkUnknown recovers the deliveries of the claims (of processes gone), with one audit
// entry: claimed ones were never handed to a relay and go back to the queue; sending ones
// were in flight and become unknown, never resent unless someone retries them. It returns
// how many became unknown.
func (s *Store) MarkUnknown(ctx context.Context, ws, id int64, claims []string, at time.Time) (int, error) {
	if len(claims) == 0 {
		return 0, nil
	}
	var n, back int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{"in flight when its process stopped; it may or may not have been sent", at, id, ws}, strAny(claims)...)
		res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET state = 'unknown', reason = ?, updated_at = ?
			WHERE campaign_id = ? AND workspace_id = ? AND state = 'sending' AND claimed_by IN (`+marks(len(claims))+`)`), args...)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		res, err = tx.ExecContext(ctx, s.q(`UPDATE deliveries SET state = 'queued', claimed_by = '', updated_at = ?
			WHERE campaign_id = ? AND workspace_id = ? AND state = 'claimed' AND claimed_by IN (`+marks(len(claims))+`)`),
			append([]any{at, id, ws}, strAny(claims)...)...)
		if err != nil {
			return err
		}
		if back, _ = res.RowsAffected(); n+back == 0 {
			return nil
		}
		return s.auditTx(ctx, tx, ws, "campaign.unknown", "campaign", id, audit.Count("unknown", int(n)),
			audit.Count("requeued", int(back)), audit.Set("claims", strings.Join(claims, ",")))
	})
	return int(n), err
}

func strAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// RequeueDeliveries queues again the campaign's deliveries in state from (failed or unknown),
// with one audit entry: a person decided they may be sent (again).
func (s *Store) RequeueDeliveries(ctx context.Context, ws, id int64, from campaign.DeliveryState, at time.Time) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET state = 'queued', reason = '', claimed_by = '',
			next_attempt_at = ?, updated_at = ? WHERE campaign_id = ? AND workspace_id = ? AND state = ?`), at, at, id, ws, string(from))
		if err != nil {
			return err
		}
		if n, _ = res.RowsAffected(); n == 0 {
			return nil
		}
		return s.auditTx(ctx, tx, ws, "campaign.requeue", "campaign", id, audit.Set("from", string(from)), audit.Count("requeued", int(n)))
	})
	return int(n), err
}

// NextAttempt is when the campaign's earliest queued delivery is due; ok is false when none is queued.
func (s *Store) NextAttempt(ctx context.Context, ws, id int64) (time.Time, bool, error) {
	var t time.Time
	err := s.db.QueryRowContext(ctx, s.q(`SELECT next_attempt_at FROM deliveries WHERE campaign_id = ? AND workspace_id = ?
		AND state = 'queued' ORDER BY next_attempt_at LIMIT 1`), id, ws).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	return t.UTC(), err == nil, err
}

// DeliveryCounts counts the campaign's deliveries per state, and the excluded ones per reason.
func (s *Store) DeliveryCounts(ctx context.Context, ws, id int64) (campaign.Counts, error) {
	return deliveryCountsTx(ctx, s, s.db, ws, id)
}

func deliveryCountsTx(ctx context.Context, s *Store, ex execer, ws, id int64) (campaign.Counts, error) {
	c := campaign.Counts{ByState: map[campaign.DeliveryState]int{}, Excluded: map[string]int{}}
	rows, err := ex.QueryContext(ctx, s.q(`SELECT state, CASE WHEN state = 'excluded' THEN reason ELSE '' END AS why, COUNT(*)
		FROM deliveries WHERE campaign_id = ? AND workspace_id = ? GROUP BY state, why`), id, ws)
	if err != nil {
		return c, fmt.Errorf("count deliveries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state, why string
		var n int
		if err := rows.Scan(&state, &why, &n); err != nil {
			return c, err
		}
		c.ByState[campaign.DeliveryState(state)] += n
		if state == string(campaign.Excluded) {
			c.Excluded[why] += n
		}
	}
	return c, rows.Err()
}

// CampaignDeliveries lists the campaign's send log in contact id order.
func (s *Store) CampaignDeliveries(ctx context.Context, ws, id int64, f campaign.DeliveryFilter) ([]campaign.Delivery, error) {
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT contact_id, address, state, reason, attempts, smtp_code, message_id,
		sent_at, updated_at FROM deliveries WHERE campaign_id = ? AND workspace_id = ? AND (? = '' OR state = ?)
		AND contact_id > ? ORDER BY contact_id LIMIT ?`), id, ws, string(f.State), string(f.State), f.After, limit)
	if err != nil {
		return nil, fmt.Errorf("list deliveries: %w", err)
	}
	defer rows.Close()
	var out []campaign.Delivery
	for rows.Next() {
		var d campaign.Delivery
		var state string
		var sent nullTime
		if err := rows.Scan(&d.ContactID, &d.Address, &state, &d.Reason, &d.Attempts, &d.SMTPCode, &d.MessageID, &sent, &d.UpdatedAt); err != nil {
			return nil, err
		}
		d.State, d.SentAt, d.UpdatedAt = campaign.DeliveryState(state), sent.ptr(), d.UpdatedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

// DeliveryWindow reads the campaign's send log since a time: the deliveries finished (sent,
// or failed with a permanent 5xx answer) and the hard failures among them (a read of the
// campaign's rows).
func (s *Store) DeliveryWindow(ctx context.Context, ws, id int64, since time.Time) (campaign.Window, error) {
	var a, b sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT SUM(CASE WHEN state = 'sent' THEN 1 ELSE 0 END),
		SUM(CASE WHEN state = 'failed' AND smtp_code >= 500 THEN 1 ELSE 0 END)
		FROM deliveries WHERE campaign_id = ? AND workspace_id = ? AND state IN ('sent', 'failed') AND updated_at >= ?`),
		id, ws, since).Scan(&a, &b)
	return campaign.Window{Finished: int(a.Int64 + b.Int64), Hard: int(b.Int64)}, err
}

// EventWindow reads the campaign's delivery events since a time: the hard bounces reported
// afterwards (DSNs, provider events) and the complaints.
func (s *Store) EventWindow(ctx context.Context, ws, id int64, since time.Time) (campaign.Window, error) {
	var c, d sql.NullInt64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT SUM(CASE WHEN kind = 'bounced' AND hard THEN 1 ELSE 0 END),
		SUM(CASE WHEN kind = 'complained' THEN 1 ELSE 0 END)
		FROM events WHERE workspace_id = ? AND campaign_id = ? AND kind IN ('bounced', 'complained') AND at >= ?`),
		ws, id, since).Scan(&c, &d)
	return campaign.Window{Hard: int(c.Int64), Complaints: int(d.Int64)}, err
}
