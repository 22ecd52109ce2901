package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/suppress"
)

// SuppressionChange is an entry as a screening index needs it (suppress.Change).
type SuppressionChange = suppress.Change

// SuppressionChanges brings a screening index of the workspace from change number after up
// to the workspace's current number, which it returns: fn gets every entry to add (added in
// the window and still active at its end) and to drop (added before the window, removed in
// it). after = 0 streams every active entry. Entries added and removed within the window are
// skipped: the index never had them.
func (s *Store) SuppressionChanges(ctx context.Context, ws, after int64, fn func(SuppressionChange) error) (int64, error) {
	var upto int64
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COALESCE((SELECT seq FROM suppression_seq WHERE workspace_id = ?), 0)`), ws).Scan(&upto)
	if err != nil {
		return after, fmt.Errorf("read suppression changes: %w", err)
	}
	if upto <= after {
		return after, nil
	}
	query := `SELECT id, kind, hash, scope_channel, scope_purpose, reason, added_seq, COALESCE(removed_seq, 0)
		FROM suppressions WHERE workspace_id = ? AND `
	args := []any{ws}
	if after == 0 {
		query += `added_seq <= ? AND (removed_seq IS NULL OR removed_seq > ?)`
		args = append(args, upto, upto)
	} else {
		query += `((added_seq > ? AND added_seq <= ?) OR (removed_seq > ? AND removed_seq <= ?))`
		args = append(args, after, upto, after, upto)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return after, fmt.Errorf("read suppression changes: %w", err)
	}
	defer rows.Close()
	var c SuppressionChange
	var hash sql.RawBytes
	kinds := map[string]string{}
	for rows.Next() {
		var kind, reason sql.RawBytes
		var added, removed int64
		if err := rows.Scan(&c.ID, &kind, &hash, &c.ScopeChannel, &c.ScopePurpose, &reason, &added, &removed); err != nil {
			return after, fmt.Errorf("read suppression changes: %w", err)
		}
		removedNow := removed > after && removed <= upto
		if added > after && removedNow {
			continue
		}
		c.Kind, c.Reason = intern(kinds, kind), intern(kinds, reason)
		c.Hash, c.Removed = hash, removedNow
		if err := fn(c); err != nil {
			return after, err
		}
	}
	if err := rows.Err(); err != nil {
		return after, fmt.Errorf("read suppression changes: %w", err)
	}
	return upto, nil
}

func intern(m map[string]string, b []byte) string {
	if s, ok := m[string(b)]; ok {
		return s
	}
	s := string(b)
	m[s] = s
	return s
}

// SuppressionFilter selects entries for listings and exports (suppress.Filter).
type SuppressionFilter = suppress.Filter

// EachSuppression streams the workspace's entries that match f in id order.
func (s *Store) EachSuppression(ctx context.Context, ws int64, f SuppressionFilter, fn func(Suppression) error) error {
	var where []string
	args := []any{ws}
	where = append(where, "workspace_id = ?")
	if !f.IncludeRemoved {
		where = append(where, "removed_seq IS NULL")
	}
	for _, c := range []struct {
		col string
		val any
		on  bool
	}{{"kind = ?", f.Kind, f.Kind != ""}, {"reason = ?", f.Reason, f.Reason != ""}, {"hash = ?", f.Hash, f.Hash != nil},
		{"id > ?", f.AfterID, f.AfterID > 0}} {
		if c.on {
			where, args = append(where, c.col), append(args, c.val)
		}
	}
	if f.LateOnly {
		where = append(where, "recorded_at > deadline")
	}
	// The entries of one identifier are found by its hash (suppressions_active); "+id" keeps
	// SQLite's planner from walking (workspace_id, id) in order instead, filtering every row.
	order := ` ORDER BY id`
	if f.Hash != nil {
		order = ` ORDER BY +id`
	}
	query := `SELECT ` + suppressionColumns + ` FROM suppressions WHERE ` + strings.Join(where, " AND ") + order
	if f.Limit > 0 {
		query += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return fmt.Errorf("list suppressions: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanSuppression(rows)
		if err != nil {
			return fmt.Errorf("list suppressions: %w", err)
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Suppressions returns the entries EachSuppression streams.
func (s *Store) Suppressions(ctx context.Context, ws int64, f SuppressionFilter) ([]Suppression, error) {
	var out []Suppression
	err := s.EachSuppression(ctx, ws, f, func(e Suppression) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

// SuppressionAuditLine is one line of the list's audit trail (suppress.AuditLine).
type SuppressionAuditLine = suppress.AuditLine

// SuppressionAudit returns the workspace's audit lines after id afterID, oldest first.
func (s *Store) SuppressionAudit(ctx context.Context, ws, afterID int64, limit int) ([]SuppressionAuditLine, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT id, COALESCE(suppression_id, 0), action, actor, detail, at
		FROM suppression_audit WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?`), ws, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("read suppression audit: %w", err)
	}
	defer rows.Close()
	var out []SuppressionAuditLine
	for rows.Next() {
		var l SuppressionAuditLine
		if err := rows.Scan(&l.ID, &l.SuppressionID, &l.Action, &l.Actor, &l.Detail, &l.At); err != nil {
			return nil, fmt.Errorf("read suppression audit: %w", err)
		}
		l.At = l.At.UTC()
		out = append(out, l)
	}
	return out, rows.Err()
}

// InstanceKey returns the instance's secret of this name, creating it on first use.
func (s *Store) InstanceKey(ctx context.Context, name string) ([]byte, error) {
	read := func() ([]byte, error) {
		var key []byte
		err := s.db.QueryRowContext(ctx, s.q(`SELECT secret FROM instance_keys WHERE name = ?`), name).Scan(&key)
		if err != nil {
			return nil, mapErr(err)
		}
		return s.unseal(key, instanceAAD(name))
	}
	key, err := read()
	if !errors.Is(err, ErrNotFound) {
		return key, err
	}
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, err
	}
	stored, err := s.seal(fresh, instanceAAD(name))
	if err != nil {
		return nil, err
	}
	if _, err := s.db.ExecContext(ctx, s.q(`INSERT INTO instance_keys (name, secret, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`), name, stored, now()); err != nil {
		return nil, fmt.Errorf("create instance key %q: %w", name, mapErr(err))
	}
	return read() // the row another process may have inserted first wins
}

// LastRegistryImport returns when the newest national registry data of the workspace was
// fetched (the received time of its registry entries); ok is false when it has none.
func (s *Store) LastRegistryImport(ctx context.Context, ws int64) (time.Time, bool, error) {
	var t time.Time
	err := s.db.QueryRowContext(ctx, s.q(`SELECT received_at FROM suppressions WHERE workspace_id = ? AND reason = 'national-registry'
		ORDER BY received_at DESC LIMIT 1`), ws).Scan(&t)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	}
	if err != nil {
		return time.Time{}, false, fmt.Errorf("read the last registry import: %w", err)
	}
	return t.UTC(), true, nil
}

// SuppressionWorkspaces lists the workspaces (InstanceWorkspace too) whose list ever changed.
func (s *Store) SuppressionWorkspaces(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT workspace_id FROM suppression_seq ORDER BY workspace_id`)
	if err != nil {
		return nil, fmt.Errorf("list workspaces with suppressions: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// The store is the do-not-contact service's store.
var _ suppress.Store = (*Store)(nil)
