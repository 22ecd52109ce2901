package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/audit"

	"github.com/clearlist/clearlist/internal/contact"
)

// AddAttribute declares an attribute the workspace collects, with its purpose, and records
// the declaration in the audit trail in the same transaction.
func (s *Store) AddAttribute(ctx context.Context, ws int64, a contact.Attribute) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO attributes (workspace_id, name, type, purpose, created_at) VALUES (?, ?, ?, ?, ?)`),
			ws, a.Name, string(a.Type), a.Purpose, now()); err != nil {
			return mapErr(err)
		}
		return s.auditTxID(ctx, tx, ws, "attribute.add", "attribute", a.Name,
			audit.Set("type", string(a.Type)), audit.Set("purpose", a.Purpose))
	})
	if err != nil {
		return fmt.Errorf("declare attribute %q: %w", a.Name, err)
	}
	return nil
}

// RemoveAttribute withdraws an attribute declaration (values already stored stay until
// erased), with its audit entry.
func (s *Store) RemoveAttribute(ctx context.Context, ws int64, name string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`DELETE FROM attributes WHERE workspace_id = ? AND name = ?`), ws, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		return s.auditTxID(ctx, tx, ws, "attribute.remove", "attribute", name)
	})
	if err != nil {
		return fmt.Errorf("remove attribute %q: %w", name, err)
	}
	return nil
}

// Attributes returns the workspace's declared attribute schema.
func (s *Store) Attributes(ctx context.Context, ws int64) ([]contact.Attribute, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT name, type, purpose FROM attributes WHERE workspace_id = ? ORDER BY name`), ws)
	if err != nil {
		return nil, fmt.Errorf("list attributes: %w", err)
	}
	defer rows.Close()
	var out []contact.Attribute
	for rows.Next() {
		var a contact.Attribute
		var typ string
		if err := rows.Scan(&a.Name, &typ, &a.Purpose); err != nil {
			return nil, err
		}
		a.Type = contact.AttrType(typ)
		out = append(out, a)
	}
	return out, rows.Err()
}
