package store

import (
	"context"
	"database/sql"
	"fmt"
)

// EligibilityOf reads what one eligibility answer needs about one contact — the contact, its
// latest ledger entry for the purpose and channel, whether it has a legitimate-interest
// reason and whether the workspace has an approved assessment for the purpose — in a single query, for the answers call centres and CRMs ask for one at a time.
// A missing contact gives ErrNotFound.
func (s *Store) EligibilityOf(ctx context.Context, ws int64, canonical, purpose, channel string) (EligibilityRow, error) {
	query := `SELECT c.id, c.email_canonical, c.phone, c.attrs, c.country, c.contact_kind, c.first_source_id, c.status, c.email_verdict,
		e.action, e.basis, e.recorded_at, ` + s.sql.jsonText("e.evidence", "timestamp") + `, e.source_id, ` + s.sql.jsonText("e.evidence", "prechecked") + `, ` + s.writtenPermission("e") + `,
		EXISTS (SELECT 1 FROM li_reasons r WHERE r.workspace_id = c.workspace_id AND r.contact_id = c.id AND r.purpose = ?),
		EXISTS (SELECT 1 FROM lia a WHERE a.workspace_id = c.workspace_id AND a.purpose = ?
			AND a.approved_by <> '' AND a.approved_at IS NOT NULL)
		FROM contacts c
		LEFT JOIN consents e ON e.id = (SELECT max(id) FROM consents
			WHERE workspace_id = c.workspace_id AND contact_id = c.id AND purpose = ? AND channel = ?)
		WHERE c.workspace_id = ? AND c.email_canonical = ?`
	var (
		r      EligibilityRow
		action sql.NullString
		basis  sql.NullString
		at     sql.NullString
		pre    sql.NullString
		src    sql.NullInt64
		rec    nullTime
		wr     sql.NullInt64
	)
	err := s.db.QueryRowContext(ctx, s.q(query), purpose, purpose, purpose, channel, ws, canonical).Scan(
		&r.ContactID, &r.Email, &r.Phone, &r.Attrs, &r.Country, &r.Kind, &r.FirstSourceID, &r.Status, &r.EmailVerdict,
		&action, &basis, &rec, &at, &src, &pre, &wr, &r.LIReason, &r.LIAApproved)
	if err != nil {
		return EligibilityRow{}, fmt.Errorf("eligibility of %s: %w", canonical, mapErr(err))
	}
	if action.Valid {
		r.Latest = ConsentHead{Action: action.String, Basis: basis.String, SourceID: src.Int64, Prechecked: jsonTrue([]byte(pre.String)),
			WrittenPermission: wr.Int64 != 0}
		if t := rec.ptr(); t != nil {
			r.Latest.RecordedAt = *t
		}
		if at.Valid && r.Latest.EvidenceAt.UnmarshalText([]byte(at.String)) == nil {
			r.Latest.EvidenceAt = r.Latest.EvidenceAt.UTC()
		}
	}
	return r, nil
}
