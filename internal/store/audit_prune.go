package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
)

// PruneAudit removes the workspace's audit entries recorded before cutoff, in one
// transaction: it records the prune as a new entry (which is kept), moves the workspace's
// anchor to the last entry it removes, and deletes the entries up to the anchor — the only
// DELETE the trail's trigger lets through. It returns how many entries it removed.
func (s *Store) PruneAudit(ctx context.Context, ws int64, cutoff time.Time) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockAudit(ctx, tx, ws); err != nil {
			return err
		}
		var last audit.Anchor
		var hash []byte
		err := tx.QueryRowContext(ctx, s.q(`SELECT seq, id, hash FROM audit_entries WHERE workspace_id = ? AND recorded_at < ?
			ORDER BY seq DESC LIMIT 1`), ws, cutoff.UTC()).Scan(&last.Seq, &last.EntryID, &hash)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		last.Hash, last.PrunedAt = hash, now()
		var from int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COALESCE(MIN(seq), 0) FROM audit_entries WHERE workspace_id = ?`), ws).Scan(&from); err != nil {
			return err
		}
		n = int(last.Seq - from + 1)
		// The entry first, so that the chain never runs empty: it follows the head and is kept.
		if err := s.auditTx(ctx, tx, ws, "audit.prune", "audit", 0, audit.Count("removed", n),
			audit.Set("anchor_seq", strconv.FormatInt(last.Seq, 10)), audit.Set("anchor_hash", last.Hash.String()),
			audit.Set("before", cutoff.UTC().Format(time.RFC3339))); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO audit_anchors (workspace_id, seq, entry_id, hash, pruned_at)
			VALUES (?, ?, ?, ?, ?) ON CONFLICT (workspace_id) DO UPDATE SET seq = excluded.seq, entry_id = excluded.entry_id,
			hash = excluded.hash, pruned_at = excluded.pruned_at`), ws, last.Seq, last.EntryID, []byte(last.Hash), last.PrunedAt); err != nil {
			return fmt.Errorf("move the audit anchor: %w", err)
		}
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM audit_entries WHERE workspace_id = ? AND seq <= ?`), ws, last.Seq)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); int(k) != n {
			return fmt.Errorf("removed %d entries, expected %d: the trail has a gap; run `clearlist audit verify`", k, n)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("prune the audit trail of workspace %d: %w", ws, mapErr(err))
	}
	return n, nil
}

// AuditAnchor returns where the workspace's chain starts after pruning; false when nothing
// was ever pruned (the chain starts at Genesis).
func (s *Store) AuditAnchor(ctx context.Context, ws int64) (audit.Anchor, bool, error) {
	var a audit.Anchor
	var hash []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT seq, entry_id, hash, pruned_at FROM audit_anchors WHERE workspace_id = ?`), ws).
		Scan(&a.Seq, &a.EntryID, &hash, &a.PrunedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return audit.Anchor{}, false, nil
	}
	if err != nil {
		return audit.Anchor{}, false, fmt.Errorf("audit anchor of workspace %d: %w", ws, err)
	}
	a.Hash, a.PrunedAt = hash, a.PrunedAt.UTC()
	return a, true, nil
}

// SettingOfAll returns one setting's value in every workspace that set it.
func (s *Store) SettingOfAll(ctx context.Context, name string) (map[int64]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT workspace_id, value FROM workspace_settings WHERE name = ?`), name)
	if err != nil {
		return nil, fmt.Errorf("read setting %s: %w", name, err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var ws int64
		var v string
		if err := rows.Scan(&ws, &v); err != nil {
			return nil, err
		}
		out[ws] = v
	}
	return out, rows.Err()
}
