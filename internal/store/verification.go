package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/verify"
)

// Verification is the stored result of checking one address (moved to the verify package).
type Verification = verify.Verification

// SaveVerifications records results (replacing earlier ones for the same addresses) and
// copies each verdict onto the workspace's contact with that address, in one transaction.
func (s *Store) SaveVerifications(ctx context.Context, ws int64, vs []Verification) error {
	if len(vs) == 0 {
		return nil
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		up, err := tx.PrepareContext(ctx, s.q(`INSERT INTO verifications (workspace_id, address, verdict, reasons, diagnosis,
			suggestion, mx, probed, checked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (workspace_id, address) DO UPDATE SET verdict = excluded.verdict, reasons = excluded.reasons,
			diagnosis = excluded.diagnosis, suggestion = excluded.suggestion, mx = excluded.mx, probed = excluded.probed,
			checked_at = excluded.checked_at`))
		if err != nil {
			return err
		}
		defer up.Close()
		mark, err := tx.PrepareContext(ctx, s.q(`UPDATE contacts SET email_verdict = ? WHERE workspace_id = ? AND email_canonical = ?`))
		if err != nil {
			return err
		}
		defer mark.Close()
		for _, v := range vs {
			if _, err := up.ExecContext(ctx, ws, v.Address, v.Verdict, strings.Join(v.Reasons, ","), v.Diagnosis, v.Suggestion,
				strings.Join(v.MX, ","), v.Probed, v.CheckedAt.UTC()); err != nil {
				return mapErr(err)
			}
			if _, err := mark.ExecContext(ctx, v.Verdict, ws, v.Address); err != nil {
				return mapErr(err)
			}
		}
		return s.auditTx(ctx, tx, ws, "verification.save", "verification", 0, verdictCounts(vs)...)
	})
	if err != nil {
		return fmt.Errorf("record verifications: %w", err)
	}
	return nil
}

// VerificationOf returns the stored result for an address, or ErrNotFound.
func (s *Store) VerificationOf(ctx context.Context, ws int64, address string) (Verification, error) {
	var v Verification
	var reasons, mx string
	err := s.db.QueryRowContext(ctx, s.q(`SELECT address, verdict, reasons, diagnosis, suggestion, mx, probed, checked_at
		FROM verifications WHERE workspace_id = ? AND address = ?`), ws, address).
		Scan(&v.Address, &v.Verdict, &reasons, &v.Diagnosis, &v.Suggestion, &mx, &v.Probed, &v.CheckedAt)
	if err != nil {
		return Verification{}, fmt.Errorf("verification of %s: %w", address, mapErr(err))
	}
	v.Reasons, v.MX, v.CheckedAt = splitList(reasons), splitList(mx), v.CheckedAt.UTC()
	return v, nil
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// EachAddressDue streams the e-mail addresses of the workspace's contacts (of one list when
// listID is not 0) that were never verified or were last verified before before, in contact
// id order. A zero before streams every address.
func (s *Store) EachAddressDue(ctx context.Context, ws, listID int64, before time.Time, fn func(address string) error) error {
	query := `SELECT c.email_canonical FROM contacts c LEFT JOIN verifications v
		ON v.workspace_id = c.workspace_id AND v.address = c.email_canonical
		WHERE c.workspace_id = ? AND c.email_canonical <> ''`
	args := []any{ws}
	if !before.IsZero() {
		query += ` AND (v.checked_at IS NULL OR v.checked_at < ?)`
		args = append(args, before.UTC())
	}
	if listID != 0 {
		query += ` AND c.id IN (SELECT contact_id FROM list_members WHERE workspace_id = ? AND list_id = ?)`
		args = append(args, ws, listID)
	}
	rows, err := s.db.QueryContext(ctx, s.q(query+` ORDER BY c.id`), args...)
	if err != nil {
		return fmt.Errorf("read addresses to verify: %w", err)
	}
	defer rows.Close()
	var batch []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return err
		}
		batch = append(batch, a)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close() // the callback may write (SQLite has one connection for writes)
	for _, a := range batch {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// Setting returns a workspace setting; ok is false when it is not set.
func (s *Store) Setting(ctx context.Context, ws int64, name string) (value string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, s.q(`SELECT value FROM workspace_settings WHERE workspace_id = ? AND name = ?`), ws, name).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("setting %s: %w", name, err)
	}
	return value, true, nil
}

// SetSetting sets a workspace setting.
func (s *Store) SetSetting(ctx context.Context, ws int64, name, value string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error { return s.setSettingTx(ctx, tx, ws, name, value) })
	if err != nil {
		return fmt.Errorf("set %s: %w", name, mapErr(err))
	}
	return nil
}

// EachStaleVerification streams the workspace's verified addresses last checked before
// before, oldest first.
func (s *Store) EachStaleVerification(ctx context.Context, ws int64, before time.Time, fn func(address string) error) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT address FROM verifications WHERE workspace_id = ? AND checked_at < ?
		ORDER BY checked_at`), ws, before.UTC())
	if err != nil {
		return fmt.Errorf("read stale verifications: %w", err)
	}
	var due []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			rows.Close()
			return err
		}
		due = append(due, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, a := range due {
		if err := fn(a); err != nil {
			return err
		}
	}
	return nil
}

// Settings returns every setting of the workspace, by name.
func (s *Store) Settings(ctx context.Context, ws int64) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT name, value FROM workspace_settings WHERE workspace_id = ?`), ws)
	if err != nil {
		return nil, fmt.Errorf("read settings: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var n, v string
		if err := rows.Scan(&n, &v); err != nil {
			return nil, fmt.Errorf("read settings: %w", err)
		}
		out[n] = v
	}
	return out, rows.Err()
}

// verdictCounts is the audit record of a batch of results: how many, and how many of each verdict.
func verdictCounts(vs []Verification) []audit.Change {
	by := map[string]int{}
	for _, v := range vs {
		by[v.Verdict]++
	}
	out := []audit.Change{audit.Count("addresses", len(vs))}
	for _, verdict := range slices.Sorted(maps.Keys(by)) {
		out = append(out, audit.Count(verdict, by[verdict]))
	}
	return out
}
