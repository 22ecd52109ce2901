package store

import (
	"context"
	"fmt"
)

// WorkspaceName returns the name of the workspace with that id; ErrNotFound when there is none.
func (s *Store) WorkspaceName(ctx context.Context, id int64) (string, error) {
	var name string
	if err := s.db.QueryRowContext(ctx, s.q(`SELECT name FROM workspaces WHERE id = ?`), id).Scan(&name); err != nil {
		return "", fmt.Errorf("workspace %d: %w", id, mapErr(err))
	}
	return name, nil
}
