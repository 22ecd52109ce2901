package store

import (
	"context"
	"fmt"

	"github.com/clearlist/clearlist/internal/campaign/report"
)

// ReportLinks counts people's clicks per link of a campaign (by the events_campaign index),
// most clicked first.
func (s *Store) ReportLinks(ctx context.Context, ws, id int64) ([]report.Link, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT url, COUNT(*), COUNT(DISTINCT contact_id) FROM events
		WHERE workspace_id = ? AND campaign_id = ? AND kind = 'click' AND NOT machine
		GROUP BY url ORDER BY COUNT(*) DESC, url`), ws, id)
	if err != nil {
		return nil, fmt.Errorf("report links: %w", err)
	}
	defer rows.Close()
	var out []report.Link
	for rows.Next() {
		var l report.Link
		if err := rows.Scan(&l.URL, &l.Clicks, &l.People); err != nil {
			return nil, fmt.Errorf("report links: %w", err)
		}
		out = append(out, l)
	}
	return out, rows.Err()
}
