package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
)

// ClaimCampaignDeliveries takes up to limit queued deliveries due at at for the process
// claim (ClaimInFlight with no outcomes and none in flight).
func (s *Store) ClaimCampaignDeliveries(ctx context.Context, ws, id int64, claim string, limit int, at time.Time) ([]campaign.Recipient, error) {
	return s.ClaimInFlight(ctx, ws, id, claim, nil, limit, 0, at)
}

// ClaimInFlight records the outcomes outs (as RecordOutcomes), then takes up to limit queued
// deliveries due at at for the process claim, in one durable transaction: the first
// sending of them (in due order) move to sending — the worker hands them to the transport
// next — and the rest to claimed (FOR UPDATE SKIP LOCKED on PostgreSQL, so concurrent
// workers of any process take disjoint rows). Each comes with its contact's attributes and
// status as they are now ("deleted" for a contact since erased), the ones in flight first.
// On PostgreSQL it is one statement: one round trip and one commit a batch.
func (s *Store) ClaimInFlight(ctx context.Context, ws, id int64, claim string, outs []campaign.Outcome, limit, sending int, at time.Time) ([]campaign.Recipient, error) {
	var out []campaign.Recipient
	var err error
	if s.sql.arrayParams {
		out, err = s.claimPG(ctx, ws, id, claim, outs, limit, sending, at)
	} else {
		err = s.inTx(ctx, func(tx *sql.Tx) error {
			if err := s.recordOutcomesTx(ctx, tx, ws, id, claim, outs); err != nil {
				return err
			}
			out, err = s.claimTx(ctx, tx, ws, id, claim, limit, sending, at)
			return err
		})
	}
	if err != nil {
		return nil, fmt.Errorf("claim deliveries of campaign %d: %w", id, err)
	}
	return out, nil
}

// claimPG is ClaimInFlight on PostgreSQL: the outcomes, the pick, the claim and the in-flight
// mark as WITH queries of one statement (they touch different rows: sending or claimed ones,
// queued ones).
func (s *Store) claimPG(ctx context.Context, ws, id int64, claim string, outs []campaign.Outcome, limit, sending int, at time.Time) ([]campaign.Recipient, error) {
	rows, err := s.db.QueryContext(ctx, `WITH rec AS (`+outcomesUpdatePG+` RETURNING 1),
		picked AS (SELECT contact_id, next_attempt_at FROM deliveries
			WHERE campaign_id = $9 AND workspace_id = $10 AND state = 'queued' AND next_attempt_at <= $12
			ORDER BY next_attempt_at LIMIT $13 FOR UPDATE SKIP LOCKED),
		numbered AS (SELECT contact_id, row_number() OVER (ORDER BY next_attempt_at, contact_id) AS n FROM picked),
		claimed AS (UPDATE deliveries d SET state = CASE WHEN p.n <= $14 THEN 'sending' ELSE 'claimed' END,
			claimed_by = $11, claimed_at = $12, updated_at = $12
			FROM numbered p WHERE d.campaign_id = $9 AND d.contact_id = p.contact_id
			RETURNING d.contact_id, d.address, d.attempts, d.basis, d.provenance, d.variant, p.n)
		SELECT cl.contact_id, cl.address, COALESCE(c.email_canonical, cl.address), cl.attempts, COALESCE(c.attrs, '{}'),
			COALESCE(c.status, 'deleted'), COALESCE(c.country, ''), cl.basis, cl.provenance, cl.variant
		FROM claimed cl LEFT JOIN contacts c ON c.id = cl.contact_id ORDER BY cl.n`,
		append(outcomeArgs(ws, id, claim, outs), at, limit, sending)...)
	if err != nil {
		return nil, err
	}
	return scanRecipients(rows)
}

// claimTx is ClaimInFlight's claim inside tx (SQLite: the writer holds the database, so the
// rows read are the rows claimed).
func (s *Store) claimTx(ctx context.Context, tx *sql.Tx, ws, id int64, claim string, limit, sending int, at time.Time) ([]campaign.Recipient, error) {
	rows, err := tx.QueryContext(ctx, s.q(`SELECT d.contact_id, d.address, COALESCE(c.email_canonical, d.address),
		d.attempts, COALESCE(c.attrs, '{}'), COALESCE(c.status, 'deleted'), COALESCE(c.country, ''), d.basis, d.provenance, d.variant
		FROM deliveries d LEFT JOIN contacts c ON c.id = d.contact_id
		WHERE d.campaign_id = ? AND d.workspace_id = ? AND d.state = 'queued' AND d.next_attempt_at <= ?
		ORDER BY d.next_attempt_at LIMIT ?`+s.sql.skipLocked("d")), id, ws, at, limit)
	if err != nil {
		return nil, err
	}
	out, err := scanRecipients(rows)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	mark := func(state string, rs []campaign.Recipient) error {
		if len(rs) == 0 {
			return nil
		}
		args := make([]any, 0, len(rs)+5)
		args = append(args, state, claim, at, at, id)
		for _, r := range rs {
			args = append(args, r.ContactID)
		}
		_, err := tx.ExecContext(ctx, s.q(`UPDATE deliveries SET state = ?, claimed_by = ?, claimed_at = ?, updated_at = ?
			WHERE campaign_id = ? AND contact_id IN (`+marks(len(rs))+`)`), args...)
		return err
	}
	k := min(max(sending, 0), len(out))
	if err := mark("sending", out[:k]); err != nil {
		return nil, err
	}
	return out, mark("claimed", out[k:])
}

// scanRecipients reads the rows of a claim and closes them.
func scanRecipients(rows *sql.Rows) ([]campaign.Recipient, error) {
	defer rows.Close()
	var out []campaign.Recipient
	for rows.Next() {
		var r campaign.Recipient
		var attrs string
		if err := rows.Scan(&r.ContactID, &r.Address, &r.Canonical, &r.Attempts, &attrs, &r.Status,
			&r.Country, &r.Basis, &r.Provenance, &r.Variant); err != nil {
			return nil, err
		}
		r.Attrs = []byte(attrs)
		out = append(out, r)
	}
	return out, rows.Err()
}
