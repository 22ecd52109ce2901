package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/verify"
)

// VerifyJobRow is a stored bulk verification (moved to the verify package).
type VerifyJobRow = verify.JobRow

// CreateVerifyJob records a job about to run over addresses and returns its id.
func (s *Store) CreateVerifyJob(ctx context.Context, ws int64, addresses []string, started time.Time) (int64, error) {
	b, err := json.Marshal(addresses)
	if err != nil {
		return 0, err
	}
	id, err := s.insertID(ctx, s.db, `INSERT INTO verify_jobs (workspace_id, state, total, addresses, started_at, updated_at)
		VALUES (?, 'running', ?, ?, ?, ?)`, ws, len(addresses), string(b), started.UTC(), started.UTC())
	if err != nil {
		return 0, fmt.Errorf("record verification job: %w", err)
	}
	return id, nil
}

// UpdateVerifyJob records the progress of a job of the workspace (ErrNotFound for another
// workspace's or an unknown one); a state other than running finishes it.
func (s *Store) UpdateVerifyJob(ctx context.Context, ws, id, done int64, verdicts map[string]int, state, errText string) error {
	b, err := json.Marshal(verdicts)
	if err != nil {
		return err
	}
	n := now()
	var fin any
	if state != "running" {
		fin = n
	}
	res, err := s.db.ExecContext(ctx, s.q(`UPDATE verify_jobs SET done = ?, verdicts = ?, state = ?, error = ?, updated_at = ?,
		finished_at = COALESCE(finished_at, ?) WHERE workspace_id = ? AND id = ?`), done, string(b), state, errText, n, fin, ws, id)
	if err != nil {
		return fmt.Errorf("verification job %d: %w", id, err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return fmt.Errorf("verification job %d: %w", id, ErrNotFound)
	}
	return nil
}

// VerifyJob returns a job of the workspace (without its addresses).
func (s *Store) VerifyJob(ctx context.Context, ws, id int64) (VerifyJobRow, error) {
	var j VerifyJobRow
	var verdicts string
	var fin nullTime
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, workspace_id, state, total, done, verdicts, error, started_at, finished_at
		FROM verify_jobs WHERE workspace_id = ? AND id = ?`), ws, id).
		Scan(&j.ID, &j.WorkspaceID, &j.State, &j.Total, &j.Done, &verdicts, &j.Error, &j.StartedAt, &fin)
	if err != nil {
		return VerifyJobRow{}, fmt.Errorf("verification job %d: %w", id, mapErr(err))
	}
	j.FinishedAt, j.StartedAt = fin.ptr(), j.StartedAt.UTC()
	if err := json.Unmarshal([]byte(verdicts), &j.Verdicts); err != nil {
		return VerifyJobRow{}, fmt.Errorf("verification job %d: %w", id, err)
	}
	return j, nil
}

// UnfinishedVerifyJobs returns every running job with its addresses, for a server to resume.
func (s *Store) UnfinishedVerifyJobs(ctx context.Context) ([]VerifyJobRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, workspace_id, total, done, verdicts, addresses, started_at
		FROM verify_jobs WHERE state = 'running' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("read unfinished verification jobs: %w", err)
	}
	defer rows.Close()
	var out []VerifyJobRow
	for rows.Next() {
		j := VerifyJobRow{State: "running"}
		var verdicts, addrs string
		if err := rows.Scan(&j.ID, &j.WorkspaceID, &j.Total, &j.Done, &verdicts, &addrs, &j.StartedAt); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(verdicts), &j.Verdicts); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(addrs), &j.Addresses); err != nil {
			return nil, err
		}
		j.StartedAt = j.StartedAt.UTC()
		out = append(out, j)
	}
	return out, rows.Err()
}

// VerifiedSince returns the verdict of each of the workspace's addresses checked at or
// after since, by address.
func (s *Store) VerifiedSince(ctx context.Context, ws int64, since time.Time) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT address, verdict FROM verifications WHERE workspace_id = ? AND checked_at >= ?`), ws, since.UTC())
	if err != nil {
		return nil, fmt.Errorf("read recent verifications: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, v string
		if err := rows.Scan(&a, &v); err != nil {
			return nil, err
		}
		out[a] = v
	}
	return out, rows.Err()
}

// VerifyJobAddresses returns the addresses a job of the workspace checks (ErrNotFound for
// another workspace's or an unknown job).
func (s *Store) VerifyJobAddresses(ctx context.Context, ws, id int64) ([]string, error) {
	var b string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT addresses FROM verify_jobs WHERE workspace_id = ? AND id = ?`), ws, id).Scan(&b)
	if err != nil {
		return nil, fmt.Errorf("verification job %d: %w", id, mapErr(err))
	}
	var out []string
	if err := json.Unmarshal([]byte(b), &out); err != nil {
		return nil, fmt.Errorf("verification job %d: %w", id, err)
	}
	return out, nil
}
