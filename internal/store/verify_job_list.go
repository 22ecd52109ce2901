package store

import (
	"context"
	"encoding/json"
	"fmt"
)

// VerifyJobList returns the workspace's verification jobs (without their addresses), newest
// first: those with an id below before (0: from the newest), at most limit.
func (s *Store) VerifyJobList(ctx context.Context, ws, before int64, limit int) ([]VerifyJobRow, error) {
	query, args := `SELECT id, workspace_id, state, total, done, verdicts, error, started_at, finished_at
		FROM verify_jobs WHERE workspace_id = ?`, []any{ws}
	if before > 0 {
		query += ` AND id < ?`
		args = append(args, before)
	}
	query += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("read verification jobs: %w", err)
	}
	defer rows.Close()
	var out []VerifyJobRow
	for rows.Next() {
		var j VerifyJobRow
		var verdicts string
		var fin nullTime
		if err := rows.Scan(&j.ID, &j.WorkspaceID, &j.State, &j.Total, &j.Done, &verdicts, &j.Error, &j.StartedAt, &fin); err != nil {
			return nil, err
		}
		j.FinishedAt, j.StartedAt = fin.ptr(), j.StartedAt.UTC()
		if err := json.Unmarshal([]byte(verdicts), &j.Verdicts); err != nil {
			return nil, fmt.Errorf("verification job %d: %w", j.ID, err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
