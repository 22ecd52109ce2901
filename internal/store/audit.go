package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/clearlist/clearlist/internal/audit"
)

// The audit trail is append-only: this file has no UPDATE or DELETE of audit_entries, and the
// migration's triggers refuse them from anywhere else.

const auditColumns = `id, workspace_id, seq, actor_kind, actor_id, actor_name, actor_role, request_id,
	action, entity, entity_id, changes, recorded_at, prev_hash, hash`

// auditKeyName names the workspace's signing key that hashes personal values in the trail.
const auditKeyName = "audit"

// auditTx records one audit entry in the caller's transaction, so the change and its entry
// commit or roll back together. The actor comes from ctx (audit.WithActor); personal values
// in changes are replaced by keyed hashes before anything is written.
func (s *Store) auditTx(ctx context.Context, tx *sql.Tx, ws int64, action, entity string, entityID int64, changes ...audit.Change) error {
	id := ""
	if entityID != 0 {
		id = strconv.FormatInt(entityID, 10)
	}
	return s.auditTxID(ctx, tx, ws, action, entity, id, changes...)
}

func (s *Store) auditTxID(ctx context.Context, tx *sql.Tx, ws int64, action, entity, entityID string, changes ...audit.Change) error {
	if s.auditOff {
		return nil
	}
	buf := auditBufferFrom(ctx)
	if err := buf.lock(ctx, s, tx, ws); err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	e := audit.Entry{WorkspaceID: ws, Actor: audit.ActorFrom(ctx), Action: action, Entity: entity,
		EntityID: entityID, RecordedAt: now()}
	publicID := e.Actor.Kind == audit.Public && e.Actor.ID != "" // a visitor's IP address
	if hasPersonal(changes) || publicID {
		key, err := s.auditKeyTx(ctx, tx, ws)
		if err != nil {
			return err
		}
		changes = audit.Redact(key, changes)
		if publicID {
			e.Actor.ID = audit.KeyedHash(key, e.Actor.ID)
		}
	}
	e.Changes = changes
	if buf != nil { // a batch: chained and written at its end (bounce_audit.go)
		buf.entries = append(buf.entries, e)
		return nil
	}
	var prev []byte
	err := tx.QueryRowContext(ctx, s.q(`SELECT
		COALESCE((SELECT MAX(seq) FROM audit_entries WHERE workspace_id = ?), 0),
		(SELECT hash FROM audit_entries WHERE workspace_id = ? ORDER BY seq DESC LIMIT 1),
		`+s.sql.nextID("audit_entries")), ws, ws).Scan(&e.Seq, &prev, &e.ID)
	if err != nil {
		return fmt.Errorf("audit %s: read chain head: %w", action, err)
	}
	e.PrevHash = prev
	if e.Seq == 0 {
		e.PrevHash = audit.Genesis
	}
	e.Seq++
	e.Hash = audit.Hash(e)
	ch, err := json.Marshal(e.Changes)
	if err != nil {
		return fmt.Errorf("audit %s: %w", action, err)
	}
	if e.Changes == nil {
		ch = []byte("[]")
	}
	_, err = tx.ExecContext(ctx, s.q(`INSERT INTO audit_entries (`+auditColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		e.ID, e.WorkspaceID, e.Seq, string(e.Actor.Kind), e.Actor.ID, e.Actor.Name, e.Actor.Role, e.Actor.RequestID,
		e.Action, e.Entity, e.EntityID, string(ch), e.RecordedAt, []byte(e.PrevHash), []byte(e.Hash))
	if err != nil {
		return fmt.Errorf("record audit entry %s: %w", action, mapErr(err))
	}
	return nil
}

// lockAudit serialises appends to one workspace's trail until the transaction ends. On SQLite
// the write transaction (BEGIN IMMEDIATE) is exclusive already; on PostgreSQL a transaction
// advisory lock per workspace is taken (the trail has entries of workspace 0, the instance's
// do-not-contact list, and of deleted workspaces, which have no row to lock).
func (s *Store) lockAudit(ctx context.Context, tx *sql.Tx, ws int64) error {
	return s.lockClass(ctx, tx, 1635083369, ws) // 1635083369 = "audi"
}

func hasPersonal(cs []audit.Change) bool {
	for _, c := range cs {
		if c.Personal {
			return true
		}
	}
	return false
}

// auditKeyTx returns the workspace's audit key, generating it in tx the first time. Keys are
// cached: a workspace's key never changes and a workspace id is never reused.
func (s *Store) auditKeyTx(ctx context.Context, tx *sql.Tx, ws int64) ([]byte, error) {
	if k, ok := s.auditKeys.Load(ws); ok {
		return k.([]byte), nil
	}
	if ws == InstanceWorkspace {
		return s.instanceAuditKeyTx(ctx, tx) // workspace 0 has no row for signing_keys to name
	}
	var stored []byte
	err := tx.QueryRowContext(ctx, s.q(`SELECT secret FROM signing_keys WHERE workspace_id = ? AND name = ?`), ws, auditKeyName).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, err
		}
		if stored, err = s.seal(fresh, signingAAD(ws, auditKeyName)); err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO signing_keys (workspace_id, name, secret, created_at) VALUES (?, ?, ?, ?)`),
			ws, auditKeyName, stored, now())
		if err != nil {
			return nil, fmt.Errorf("create audit key of workspace %d: %w", ws, mapErr(err))
		}
		return s.unseal(stored, signingAAD(ws, auditKeyName)) // cached once committed and read back
	}
	if err != nil {
		return nil, fmt.Errorf("audit key of workspace %d: %w", ws, mapErr(err))
	}
	key, err := s.unseal(stored, signingAAD(ws, auditKeyName))
	if err != nil {
		return nil, err
	}
	s.auditKeys.Store(ws, key)
	return key, nil
}

// AuditEntries returns the workspace's latest entries, newest first.
func (s *Store) AuditEntries(ctx context.Context, ws int64, f audit.Filter) ([]audit.Entry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	query, args := `SELECT `+auditColumns+` FROM audit_entries WHERE workspace_id = ?`, []any{ws}
	if f.Entity != "" {
		query += ` AND entity = ?`
		args = append(args, f.Entity)
	}
	if f.Action != "" {
		query += ` AND action = ?`
		args = append(args, f.Action)
	}
	if f.Actor != "" {
		query += ` AND (actor_name = ? OR actor_id = ?)`
		args = append(args, f.Actor, f.Actor)
	}
	if !f.Since.IsZero() {
		query += ` AND recorded_at >= ?`
		args = append(args, f.Since.UTC())
	}
	if !f.Until.IsZero() {
		query += ` AND recorded_at < ?`
		args = append(args, f.Until.UTC())
	}
	if f.Before > 0 {
		query += ` AND seq < ?`
		args = append(args, f.Before)
	}
	query += ` ORDER BY seq DESC LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("read audit trail: %w", err)
	}
	defer rows.Close()
	out := []audit.Entry{}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// EachAuditEntry streams the workspace's entries to fn in chain order, for verification.
func (s *Store) EachAuditEntry(ctx context.Context, ws int64, fn func(audit.Entry) error) error {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT `+auditColumns+` FROM audit_entries WHERE workspace_id = ? ORDER BY seq`), ws)
	if err != nil {
		return fmt.Errorf("read audit trail: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

func scanAudit(row rowScanner) (audit.Entry, error) {
	var e audit.Entry
	var kind, changes string
	var prev, hash []byte
	if err := row.Scan(&e.ID, &e.WorkspaceID, &e.Seq, &kind, &e.Actor.ID, &e.Actor.Name, &e.Actor.Role, &e.Actor.RequestID,
		&e.Action, &e.Entity, &e.EntityID, &changes, &e.RecordedAt, &prev, &hash); err != nil {
		return audit.Entry{}, err
	}
	e.Actor.Kind, e.PrevHash, e.Hash = audit.Kind(kind), prev, hash
	e.RecordedAt = e.RecordedAt.UTC()
	if err := json.Unmarshal([]byte(changes), &e.Changes); err != nil {
		return audit.Entry{}, fmt.Errorf("audit entry %d: changes are not readable (was the row changed?): %w", e.ID, err)
	}
	if len(e.Changes) == 0 {
		e.Changes = nil
	}
	return e, nil
}

// execAudited runs one UPDATE or DELETE and its audit entry in one transaction; a statement
// that changes no row gives ErrNotFound (what) and records nothing.
func (s *Store) execAudited(ctx context.Context, ws int64, what, action, entity string, entityID int64, query string, args []any, changes ...audit.Change) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%s: %w", what, ErrNotFound)
		}
		return s.auditTx(ctx, tx, ws, action, entity, entityID, changes...)
	})
}
