package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/campaign"
)

// QueuedZones lists a page of a campaign's queued deliveries, after a contact id, with the
// contact's timezone attribute and country (what a send at local time places them by).
func (s *Store) QueuedZones(ctx context.Context, ws, id, after int64, limit int) ([]campaign.ZoneOf, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT d.contact_id, COALESCE(`+s.sql.jsonText("c.attrs", "timezone")+`, ''),
		COALESCE(c.country, '') FROM deliveries d LEFT JOIN contacts c ON c.id = d.contact_id
		WHERE d.campaign_id = ? AND d.workspace_id = ? AND d.state = 'queued' AND d.contact_id > ?
		ORDER BY d.contact_id LIMIT ?`), id, ws, after, limit)
	if err != nil {
		return nil, fmt.Errorf("zones of campaign %d: %w", id, err)
	}
	defer rows.Close()
	var out []campaign.ZoneOf
	for rows.Next() {
		var z campaign.ZoneOf
		if err := rows.Scan(&z.ContactID, &z.TimeZone, &z.Country); err != nil {
			return nil, err
		}
		out = append(out, z)
	}
	return out, rows.Err()
}

// SetNextAttempts sets when queued deliveries of a campaign are due, in one transaction;
// rows no longer queued are left alone.
func (s *Store) SetNextAttempts(ctx context.Context, ws, id int64, due []campaign.Due) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		stmt, err := tx.PrepareContext(ctx, s.q(`UPDATE deliveries SET next_attempt_at = ?
			WHERE campaign_id = ? AND contact_id = ? AND workspace_id = ? AND state = 'queued'`))
		if err != nil {
			return err
		}
		defer stmt.Close()
		for _, d := range due {
			if _, err := stmt.ExecContext(ctx, d.At.UTC(), id, d.ContactID, ws); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set send times of campaign %d: %w", id, err)
	}
	return nil
}
