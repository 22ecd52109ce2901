package store

import (
	"context"
	"fmt"

	"github.com/clearlist/clearlist/internal/campaign"
)

// DeliveryStates counts the campaign's deliveries per state alone, for the live progress a
// browser polls every second: the count reads only the claim index (campaign_id, state, …),
// not the rows, unlike DeliveryCounts, which reads each excluded row's reason. A campaign of
// another workspace (or none) has no deliveries.
func (s *Store) DeliveryStates(ctx context.Context, ws, id int64) (map[campaign.DeliveryState]int, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT state, COUNT(*) FROM deliveries
		WHERE campaign_id = (SELECT id FROM campaigns WHERE id = ? AND workspace_id = ?) GROUP BY state`), id, ws)
	if err != nil {
		return nil, fmt.Errorf("count deliveries by state: %w", err)
	}
	defer rows.Close()
	out := map[campaign.DeliveryState]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, err
		}
		out[campaign.DeliveryState(state)] = n
	}
	return out, rows.Err()
}
