package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/workspace"
)

// DefaultWorkspace is the workspace every fresh database has.
const DefaultWorkspace = "default"

// Workspace is one data controller; every row belongs to exactly one (see workspace.Workspace).
type Workspace = workspace.Workspace

// EnsureWorkspace returns the workspace with this name, creating it if needed.
func (s *Store) EnsureWorkspace(ctx context.Context, name string) (Workspace, error) {
	w, err := s.WorkspaceByName(ctx, name)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return w, err
	}
	w, err = s.CreateWorkspace(ctx, name)
	if errors.Is(err, ErrConflict) { // created concurrently by another process
		return s.WorkspaceByName(ctx, name)
	}
	return w, err
}

// CreateWorkspace creates a workspace; ErrConflict when the name is taken. On SQLite the
// new id is above every id a deleted workspace had, so no row left under an old id (the
// do-not-contact list names its workspace without a foreign key) belongs to the new one.
func (s *Store) CreateWorkspace(ctx context.Context, name string) (Workspace, error) {
	var w Workspace
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		w, err = s.createWorkspaceTx(ctx, tx, name)
		return err
	})
	if err != nil {
		return Workspace{}, fmt.Errorf("create workspace %q: %w", name, err)
	}
	return w, nil
}

// createWorkspaceTx inserts a workspace with its audit entry.
func (s *Store) createWorkspaceTx(ctx context.Context, tx *sql.Tx, name string) (Workspace, error) {
	w := Workspace{Name: name, CreatedAt: now()}
	query := `INSERT INTO workspaces (id, name, created_at) VALUES (` + s.sql.freshWorkspaceID + `, ?, ?)`
	var err error
	if w.ID, err = s.insertID(ctx, tx, query, name, w.CreatedAt); err != nil {
		return Workspace{}, err
	}
	return w, s.auditTx(ctx, tx, w.ID, "workspace.create", "workspace", w.ID, audit.Set("name", name))
}

// WorkspaceByName looks a workspace up by its name.
func (s *Store) WorkspaceByName(ctx context.Context, name string) (Workspace, error) {
	var w Workspace
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, name, created_at FROM workspaces WHERE name = ?`), name).
		Scan(&w.ID, &w.Name, &w.CreatedAt)
	if err != nil {
		return Workspace{}, fmt.Errorf("workspace %q: %w", name, mapErr(err))
	}
	return w, nil
}

// WorkspaceID returns the id of the named workspace; ErrNotFound when there is none.
func (s *Store) WorkspaceID(ctx context.Context, name string) (int64, error) {
	w, err := s.WorkspaceByName(ctx, name)
	return w.ID, err
}

// Workspaces lists every workspace by name.
func (s *Store) Workspaces(ctx context.Context) ([]Workspace, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at FROM workspaces ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	var out []Workspace
	for rows.Next() {
		var w Workspace
		if err := rows.Scan(&w.ID, &w.Name, &w.CreatedAt); err != nil {
			return nil, fmt.Errorf("list workspaces: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// WorkspaceIDs lists the ids of every workspace, for jobs that visit them all.
func (s *Store) WorkspaceIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("list workspaces: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
