package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/reporting"
)

// EachContactFact calls fn for the workspace's contacts with id > after in id order (by the
// primary key), at most limit of them (0: all), with the type of the source that created each.
func (s *Store) EachContactFact(ctx context.Context, ws, after int64, limit int, fn func(reporting.ContactFact) error) error {
	query := `SELECT c.id, c.status, c.created_at, c.country, COALESCE(src.source_type, '')
		FROM contacts c LEFT JOIN sources src ON src.id = c.first_source_id
		WHERE c.workspace_id = ? AND c.id > ? ORDER BY c.id`
	args := []any{ws, after}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
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

// EachDNCReceived calls fn for the workspace's do-not-contact entries received at or after
// since, removed ones too, in time order (by the suppressions_received index).
func (s *Store) EachDNCReceived(ctx context.Context, ws int64, since time.Time, fn func(reporting.DNCFact) error) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, kind, reason, channel_in, received_at, recorded_at, deadline, deadline_rule
		FROM suppressions WHERE workspace_id = ? AND received_at >= ? ORDER BY received_at, id`), ws, since.UTC())
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

var _ reporting.Store = (*Store)(nil)
