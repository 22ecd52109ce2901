package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/eligibility"
)

// EligibilityQuery selects the contacts EachEligibility streams (eligibility.Query).
type EligibilityQuery = eligibility.Query

// EligibilityRow is what the store holds about one contact that the policy needs
// (eligibility.Row).
type EligibilityRow = eligibility.Row

// ConsentHead is the deciding part of a contact's latest ledger entry (eligibility.ConsentHead).
type ConsentHead = eligibility.ConsentHead

// EachEligibility streams the selected contacts in id order, each with its latest ledger
// entry for the purpose and channel and whether it has a legitimate-interest reason. It runs
// three set-based queries (the latest entries, the reasons, the contacts) and merges them by
// contact id; fn gets the same row each time, refilled. The three reads are not one
// snapshot: an entry recorded while the contacts stream may be missed, as if it came after.
func (s *Store) EachEligibility(ctx context.Context, ws int64, q EligibilityQuery, fn func(*EligibilityRow) error) error {
	heads, ids, err := s.consentHeads(ctx, ws, q)
	if err != nil {
		return err
	}
	reasons, err := s.liReasonContacts(ctx, ws, q)
	if err != nil {
		return err
	}
	var b strings.Builder
	b.WriteString(`SELECT id, email_canonical, phone, attrs, country, contact_kind, first_source_id, status, email_verdict FROM contacts WHERE `)
	// SQLite would otherwise read contacts through the (workspace, e-mail) index, jump to each
	// row and sort them all by id; walking the table in id order is several times faster.
	b.WriteString(s.sql.noIndex)
	b.WriteString(`workspace_id = ?`)
	args := []any{ws}
	if q.ContactID != 0 {
		b.WriteString(` AND id = ?`)
		args = append(args, q.ContactID)
	}
	if q.ListID != 0 {
		b.WriteString(` AND id IN (SELECT contact_id FROM list_members WHERE workspace_id = ? AND list_id = ?)`)
		args = append(args, ws, q.ListID)
	}
	b.WriteString(` ORDER BY id`)
	rows, err := s.db.QueryContext(ctx, s.q(b.String()), args...)
	if err != nil {
		return fmt.Errorf("read contacts for eligibility: %w", err)
	}
	defer rows.Close()
	var r EligibilityRow
	h, l := 0, 0
	for rows.Next() {
		if err := rows.Scan(&r.ContactID, (*sql.RawBytes)(&r.Email), (*sql.RawBytes)(&r.Phone), (*sql.RawBytes)(&r.Attrs),
			(*sql.RawBytes)(&r.Country), (*sql.RawBytes)(&r.Kind), &r.FirstSourceID, (*sql.RawBytes)(&r.Status), (*sql.RawBytes)(&r.EmailVerdict)); err != nil {
			return fmt.Errorf("read contacts for eligibility: %w", err)
		}
		for h < len(ids) && ids[h] < r.ContactID {
			h++
		}
		r.Latest = ConsentHead{}
		if h < len(ids) && ids[h] == r.ContactID {
			r.Latest = heads[h]
		}
		for l < len(reasons) && reasons[l] < r.ContactID {
			l++
		}
		r.LIReason = l < len(reasons) && reasons[l] == r.ContactID
		if err := fn(&r); err != nil {
			return err
		}
	}
	return rows.Err()
}

// consentHeads returns the latest entry for the purpose and channel of every contact that
// has one, ordered by contact id (ids[i] is the contact of heads[i]).
func (s *Store) consentHeads(ctx context.Context, ws int64, q EligibilityQuery) ([]ConsentHead, []int64, error) {
	query := `SELECT e.contact_id, e.action, e.basis, e.recorded_at, ` + s.sql.jsonText("e.evidence", "timestamp") + `, e.source_id, ` + s.sql.jsonText("e.evidence", "prechecked") + `, ` +
		s.writtenPermission("e") + `
	FROM consents e JOIN (SELECT MAX(id) AS id FROM consents WHERE workspace_id = ? AND purpose = ? AND channel = ?`
	args := []any{ws, q.Purpose, q.Channel}
	if q.ContactID != 0 {
		query += ` AND contact_id = ?`
		args = append(args, q.ContactID)
	}
	query += ` GROUP BY contact_id) k ON e.id = k.id ORDER BY e.contact_id`
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, nil, fmt.Errorf("read consent states: %w", err)
	}
	defer rows.Close()
	var heads []ConsentHead
	var ids []int64
	actions := map[string]string{}
	for rows.Next() {
		var id int64
		var action, basis, at, pre sql.RawBytes
		var src sql.NullInt64
		var h ConsentHead
		var written int64
		if err := rows.Scan(&id, &action, &basis, &h.RecordedAt, &at, &src, &pre, &written); err != nil {
			return nil, nil, fmt.Errorf("read consent states: %w", err)
		}
		a, ok := actions[string(action)]
		if !ok {
			a = string(action)
			actions[a] = a
		}
		b, ok := actions[string(basis)]
		if !ok {
			b = string(basis)
			actions[b] = b
		}
		h.Action, h.Basis, h.SourceID, h.RecordedAt = a, b, src.Int64, h.RecordedAt.UTC()
		h.Prechecked = jsonTrue(pre)
		h.WrittenPermission = written != 0
		if len(at) > 0 && h.EvidenceAt.UnmarshalText(at) == nil {
			h.EvidenceAt = h.EvidenceAt.UTC()
		}
		heads, ids = append(heads, h), append(ids, id)
	}
	return heads, ids, rows.Err()
}

// liReasonContacts returns the ids of the contacts with a reason for the purpose, in order.
func (s *Store) liReasonContacts(ctx context.Context, ws int64, q EligibilityQuery) ([]int64, error) {
	query := `SELECT contact_id FROM li_reasons WHERE workspace_id = ? AND purpose = ?`
	args := []any{ws, q.Purpose}
	if q.ContactID != 0 {
		query += ` AND contact_id = ?`
		args = append(args, q.ContactID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+` ORDER BY contact_id`), args...)
	if err != nil {
		return nil, fmt.Errorf("read legitimate-interest reasons: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// AllSources returns every source of the workspace by id, for batch evaluations that look
// sources up per contact.
func (s *Store) AllSources(ctx context.Context, ws int64) (map[int64]contact.Source, error) {
	srcs, err := s.querySources(ctx, `SELECT `+sourceColumns+` FROM sources WHERE workspace_id = ?`, ws)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]contact.Source, len(srcs))
	for _, src := range srcs {
		out[src.ID] = src
	}
	return out, nil
}

// jsonTrue reads a JSON boolean taken out of a column as text: "true" on PostgreSQL, 1 on
// SQLite.
func jsonTrue(b []byte) bool { return string(b) == "true" || string(b) == "1" }

// writtenPermission is the expression, 1 or 0, saying whether the ledger entry (alias e)
// carries a written permission: a document reference and the wording agreed to.
func (s *Store) writtenPermission(e string) string {
	return `CASE WHEN COALESCE(` + s.sql.jsonText(e+".evidence", "document_ref") + `, '') <> '' AND COALESCE(` +
		s.sql.jsonText(e+".evidence", "wording") + `, '') <> '' THEN 1 ELSE 0 END`
}
