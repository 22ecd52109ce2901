package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// DefaultWorkspace is the workspace every fresh database has.
const DefaultWorkspace = "default"

// Workspace is one data controller; every row belongs to exactly one.
type Workspace struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// EnsureWorkspace returns the workspace with this name, creating it if needed.
func (s *Store) EnsureWorkspace(ctx context.Context, name string) (Workspace, error) {
	w, err := s.WorkspaceByName(ctx, name)
	if err == nil || !errors.Is(err, ErrNotFound) {
		return w, err
	}
	w = Workspace{Name: name, CreatedAt: now()}
	w.ID, err = s.insertID(ctx, s.db, `INSERT INTO workspaces (name, created_at) VALUES (?, ?)`, name, w.CreatedAt)
	if errors.Is(err, ErrConflict) { // created concurrently by another process
		return s.WorkspaceByName(ctx, name)
	}
	if err != nil {
		return Workspace{}, fmt.Errorf("create workspace %q: %w", name, err)
	}
	return w, nil
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
