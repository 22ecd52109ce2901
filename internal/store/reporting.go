package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/reporting"
)

// EachContactFact calls fn for the workspace's contacts with id > after in id order, with the
// type of the source that created each; with limit > 0 only those with id <= after+limit (ids
// grow across workspaces, so that is at most limit contacts). The bound keeps the planner on
// the primary key even when its statistics do not know the newest ids yet (PostgreSQL right
// after an import would otherwise sort the whole workspace for a page); SQLite needs the hint
// besides (see EachContact).
func (s *Store) EachContactFact(ctx context.Context, ws, after int64, limit int, fn func(reporting.ContactFact) error) error {
	query := `SELECT c.id, c.status, c.created_at, c.country, COALESCE(src.source_type, '')
		FROM contacts c LEFT JOIN sources src ON src.id = c.first_source_id
		WHERE ` + s.sql.noIndex + `c.workspace_id = ? AND c.id > ?`
	args := []any{ws, after}
	if limit > 0 {
		query += ` AND c.id <= ?`
		args = append(args, after+int64(limit))
	}
	query += ` ORDER BY c.id`
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("read contacts for reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f reporting.ContactFact
		if err := rows.Scan(&f.ID, &f.Status, &f.CreatedAt, &f.Country, &f.SourceType); err != nil {
			return fmt.Errorf("read contacts for reports: %w", err)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachLedgerAction calls fn for the workspace's consent entries in (contact, purpose, channel,
// entry) order, the order of the consents_contact index.
func (s *Store) EachLedgerAction(ctx context.Context, ws int64, fn func(reporting.LedgerAction) error) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT contact_id, purpose, channel, action FROM consents
		WHERE workspace_id = ? ORDER BY contact_id, purpose, channel, id`), ws)
	if err != nil {
		return fmt.Errorf("read the consent ledger for reports: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a reporting.LedgerAction
		if err := rows.Scan(&a.ContactID, &a.Purpose, &a.Channel, &a.Action); err != nil {
			return fmt.Errorf("read the consent ledger for reports: %w", err)
		}
		if err := fn(a); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReportSnapshot reads the workspace's stored report counts; ok is false when there are none.
func (s *Store) ReportSnapshot(ctx context.Context, ws int64) (reporting.Stored, bool, error) {
	var st reporting.Stored
	err := s.db.QueryRowContext(ctx, s.q(`SELECT upto_contact_id, counted_at, body FROM report_snapshots WHERE workspace_id = ?`), ws).
		Scan(&st.UptoContact, &st.CountedAt, &st.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return reporting.Stored{}, false, nil
	}
	if err != nil {
		return reporting.Stored{}, false, fmt.Errorf("read the report counts: %w", err)
	}
	st.CountedAt = st.CountedAt.UTC()
	return st, true, nil
}

// PutReportSnapshot stores the workspace's report counts, replacing the ones before. Counts
// are derived from the data, not a change to it: no audit entry.
func (s *Store) PutReportSnapshot(ctx context.Context, ws int64, st reporting.Stored) error {
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO report_snapshots (workspace_id, upto_contact_id, counted_at, body)
		VALUES (?, ?, ?, ?) ON CONFLICT (workspace_id) DO UPDATE SET upto_contact_id = excluded.upto_contact_id,
		counted_at = excluded.counted_at, body = excluded.body`), ws, st.UptoContact, st.CountedAt.UTC(), string(st.Body))
	if err != nil {
		return fmt.Errorf("store the report counts: %w", err)
	}
	return nil
}

// EachDNCAfter calls fn for the workspace's do-not-contact entries with id > after, removed
// ones too, in id order; with limit > 0 only those with id <= after+limit (see EachContactFact).
func (s *Store) EachDNCAfter(ctx context.Context, ws, after int64, limit int, fn func(reporting.DNCFact) error) error {
	query := `SELECT id, kind, reason, channel_in, received_at, recorded_at, deadline, deadline_rule
		FROM suppressions WHERE ` + s.sql.noIndex + `workspace_id = ? AND id > ?`
	args := []any{ws, after}
	if limit > 0 {
		query += ` AND id <= ?`
		args = append(args, after+int64(limit))
	}
	query += ` ORDER BY id`
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("read do-not-contact intake: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var f reporting.DNCFact
		if err := rows.Scan(&f.ID, &f.Kind, &f.Reason, &f.ChannelIn, &f.ReceivedAt, &f.RecordedAt, &f.Deadline, &f.DeadlineRule); err != nil {
			return fmt.Errorf("read do-not-contact intake: %w", err)
		}
		f.ReceivedAt, f.RecordedAt, f.Deadline = f.ReceivedAt.UTC(), f.RecordedAt.UTC(), f.Deadline.UTC()
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// LastIDs returns the highest contact and do-not-contact entry ids of the instance (by the
// primary keys), for the reports to tell whether more arrived than a page reads.
func (s *Store) LastIDs(ctx context.Context) (contactID, suppressionID int64, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM contacts), (SELECT COALESCE(MAX(id), 0) FROM suppressions)`).
		Scan(&contactID, &suppressionID)
	if err != nil {
		return 0, 0, fmt.Errorf("last ids: %w", err)
	}
	return contactID, suppressionID, nil
}

var _ reporting.Store = (*Store)(nil)

// ListMemberCounts counts the members of each of the workspace's lists (the report count's
// work: it reads every membership).
func (s *Store) ListMemberCounts(ctx context.Context, ws int64) (map[int64]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT list_id, COUNT(*) FROM list_members WHERE workspace_id = ? GROUP BY list_id`), ws)
	if err != nil {
		return nil, fmt.Errorf("count list members: %w", err)
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var id, n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("count list members: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// ListsOnly returns the workspace's lists by name, without counting their members.
func (s *Store) ListsOnly(ctx context.Context, ws int64) ([]contact.List, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, workspace_id, name, description, public, created_at
		FROM lists WHERE workspace_id = ? ORDER BY name`), ws)
	if err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	defer rows.Close()
	var out []contact.List
	for rows.Next() {
		l, err := s.scanList(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
