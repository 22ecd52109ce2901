package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
)

// LIA is a legitimate-interest assessment (consent.LIA).
type LIA = consent.LIA

// LIReason is the per-contact reason legitimate interest needs (consent.LIReason).
type LIReason = consent.LIReason

// ErrInvalidLI is wrapped by the errors of SetLIA and SetLIReason for input to fix.
var ErrInvalidLI = consent.ErrInvalidLI

// SetLIA records the workspace's assessment for a purpose, replacing an earlier one. The
// purpose must exist (the error lists the workspace's purposes).
func (s *Store) SetLIA(ctx context.Context, l LIA) (LIA, error) {
	if err := consent.ValidateLIA(l); err != nil {
		return LIA{}, err
	}
	l.CreatedAt = now()
	if l.ApprovedAt.IsZero() {
		l.ApprovedAt = l.CreatedAt
	}
	l.ApprovedAt = l.ApprovedAt.UTC().Truncate(time.Microsecond)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.checkPurpose(ctx, tx, l.WorkspaceID, l.Purpose); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO lia (workspace_id, purpose, purpose_text, necessity, balancing,
			approved_by, approved_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, purpose) DO UPDATE SET purpose_text = excluded.purpose_text,
			necessity = excluded.necessity, balancing = excluded.balancing, approved_by = excluded.approved_by,
			approved_at = excluded.approved_at, created_at = excluded.created_at`),
			l.WorkspaceID, l.Purpose, l.PurposeText, l.Necessity, l.Balancing, l.ApprovedBy, l.ApprovedAt, l.CreatedAt)
		if err != nil {
			return mapErr(err)
		}
		return s.auditTxID(ctx, tx, l.WorkspaceID, "lia.set", "lia", l.Purpose, audit.Set("purpose_text", l.PurposeText),
			audit.Set("necessity", l.Necessity), audit.Set("balancing", l.Balancing), audit.Set("approved_by", l.ApprovedBy),
			audit.Set("approved_at", l.ApprovedAt.Format(time.RFC3339)))
	})
	if err != nil {
		return LIA{}, fmt.Errorf("set assessment for %q: %w", l.Purpose, err)
	}
	return l, nil
}

const liaColumns = `workspace_id, purpose, purpose_text, necessity, balancing, approved_by, approved_at, created_at`

// LIAFor returns the workspace's assessment for a purpose, or ErrNotFound.
func (s *Store) LIAFor(ctx context.Context, ws int64, purpose string) (LIA, error) {
	l, err := scanLIA(s.db.QueryRowContext(ctx, s.q(`SELECT `+liaColumns+` FROM lia WHERE workspace_id = ? AND purpose = ?`), ws, purpose))
	if err != nil {
		return LIA{}, fmt.Errorf("assessment for %q: %w", purpose, mapErr(err))
	}
	return l, nil
}

// LIAs lists the workspace's assessments by purpose.
func (s *Store) LIAs(ctx context.Context, ws int64) ([]LIA, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+liaColumns+` FROM lia WHERE workspace_id = ? ORDER BY purpose`), ws)
	if err != nil {
		return nil, fmt.Errorf("assessments: %w", err)
	}
	defer rows.Close()
	var out []LIA
	for rows.Next() {
		l, err := scanLIA(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func scanLIA(row rowScanner) (LIA, error) {
	var l LIA
	err := row.Scan(&l.WorkspaceID, &l.Purpose, &l.PurposeText, &l.Necessity, &l.Balancing, &l.ApprovedBy, &l.ApprovedAt, &l.CreatedAt)
	l.ApprovedAt, l.CreatedAt = l.ApprovedAt.UTC(), l.CreatedAt.UTC()
	return l, err
}

// SetLIReason records why a contact is the right person for a purpose, replacing an earlier
// reason. A contact of another workspace gives ErrNotFound.
func (s *Store) SetLIReason(ctx context.Context, r LIReason) (LIReason, error) {
	if err := consent.ValidateLIReason(r); err != nil {
		return LIReason{}, err
	}
	r.RecordedAt = now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT id FROM contacts WHERE id = ? AND workspace_id = ?`), r.ContactID, r.WorkspaceID).Scan(&id); err != nil {
			return fmt.Errorf("contact %d: %w", r.ContactID, mapErr(err))
		}
		if err := s.checkPurpose(ctx, tx, r.WorkspaceID, r.Purpose); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, s.q(`INSERT INTO li_reasons (workspace_id, contact_id, purpose, reason, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, contact_id, purpose) DO UPDATE SET
			reason = excluded.reason, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`),
			r.WorkspaceID, r.ContactID, r.Purpose, r.Reason, r.RecordedBy, r.RecordedAt)
		if err != nil {
			return mapErr(err)
		}
		// The reason may describe the person, so it is recorded as a keyed hash.
		return s.auditTx(ctx, tx, r.WorkspaceID, "li_reason.set", "contact", r.ContactID, audit.Set("purpose", r.Purpose),
			audit.PersonalSet("reason", "", r.Reason), audit.Set("recorded_by", r.RecordedBy))
	})
	if err != nil {
		return LIReason{}, fmt.Errorf("set reason for contact %d (%s): %w", r.ContactID, r.Purpose, err)
	}
	return r, nil
}

// LIReasonFor returns the contact's reason for a purpose, or ErrNotFound.
func (s *Store) LIReasonFor(ctx context.Context, ws, contactID int64, purpose string) (LIReason, error) {
	r := LIReason{WorkspaceID: ws, ContactID: contactID, Purpose: purpose}
	err := s.db.QueryRowContext(ctx, s.q(`SELECT reason, recorded_by, recorded_at FROM li_reasons
		WHERE workspace_id = ? AND contact_id = ? AND purpose = ?`), ws, contactID, purpose).Scan(&r.Reason, &r.RecordedBy, &r.RecordedAt)
	if err != nil {
		return LIReason{}, fmt.Errorf("reason for contact %d (%s): %w", contactID, purpose, mapErr(err))
	}
	r.RecordedAt = r.RecordedAt.UTC()
	return r, nil
}
