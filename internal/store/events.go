package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/track"
)

// RecordEvent appends one open or click. It writes no audit entry: an event is a
// measurement of a message already sent, not a change to a person's data, and it comes
// from a GET (a fetch that changes nothing a person or a token asked for).
func (s *Store) RecordEvent(ctx context.Context, e track.Event) error {
	var contact sql.NullInt64
	if e.Contact != 0 {
		contact = sql.NullInt64{Int64: e.Contact, Valid: true}
	}
	_, err := s.db.ExecContext(ctx, s.q(`INSERT INTO events (workspace_id, campaign_id, contact_id, kind, at, machine, rule, url, variant)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`), e.Workspace, e.Campaign, contact, e.Kind, e.At.UTC(), e.Machine, e.Rule, e.URL, e.Variant)
	if err != nil {
		return fmt.Errorf("record %s event: %w", e.Kind, err)
	}
	return nil
}

// EventCounts counts a campaign's events per kind: people's, machines', and distinct
// contacts among the people's.
func (s *Store) EventCounts(ctx context.Context, ws, campaign int64) ([]track.Count, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT kind,
		SUM(CASE WHEN machine THEN 0 ELSE 1 END), SUM(CASE WHEN machine THEN 1 ELSE 0 END),
		COUNT(DISTINCT CASE WHEN machine THEN NULL ELSE contact_id END)
		FROM events WHERE workspace_id = ? AND campaign_id = ? GROUP BY kind ORDER BY kind`), ws, campaign)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []track.Count
	for rows.Next() {
		var c track.Count
		if err := rows.Scan(&c.Kind, &c.People, &c.Machine, &c.Unique); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
