package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"

	"github.com/clearlist/clearlist/internal/audit"
)

// setSettingTx sets one workspace setting with its audit entry (the old and new value).
func (s *Store) setSettingTx(ctx context.Context, tx *sql.Tx, ws int64, name, value string) error {
	var old string
	if err := tx.QueryRowContext(ctx, s.q(`SELECT value FROM workspace_settings WHERE workspace_id = ? AND name = ?`), ws, name).Scan(&old); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO workspace_settings (workspace_id, name, value, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`), ws, name, value, now()); err != nil {
		return err
	}
	return s.auditTxID(ctx, tx, ws, "setting.set", "setting", name, audit.Diff(name, old, value))
}

// SetSettings sets several workspace settings in one transaction (the admin UI's form of a
// group of settings), each with its audit entry, in name order.
func (s *Store) SetSettings(ctx context.Context, ws int64, values map[string]string) error {
	names := make([]string, 0, len(values))
	for n := range values {
		names = append(names, n)
	}
	slices.Sort(names)
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, n := range names {
			if err := s.setSettingTx(ctx, tx, ws, n, values[n]); err != nil {
				return fmt.Errorf("set %s: %w", n, err)
			}
		}
		return nil
	})
	return mapErr(err)
}
