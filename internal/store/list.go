package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
)

const listColumns = `id, workspace_id, name, description, public, created_at`

// CreateList adds a list to the workspace; the name must be unused there.
func (s *Store) CreateList(ctx context.Context, l contact.List) (contact.List, error) {
	l.CreatedAt = now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		l.ID, err = s.insertID(ctx, tx, `INSERT INTO lists (workspace_id, name, description, public, created_at) VALUES (?, ?, ?, ?, ?)`,
			l.WorkspaceID, l.Name, l.Description, l.Public, l.CreatedAt)
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, l.WorkspaceID, "list.create", "list", l.ID, audit.Set("name", l.Name),
			audit.Set("public", strconv.FormatBool(l.Public)))
	})
	if err != nil {
		return contact.List{}, fmt.Errorf("create list %q: %w", l.Name, err)
	}
	return l, nil
}

// EnsureList returns the list with this name, creating it if it does not exist yet.
func (s *Store) EnsureList(ctx context.Context, ws int64, name string) (contact.List, error) {
	l, err := s.ListByName(ctx, ws, name)
	if err == nil {
		return l, nil
	}
	l, err = s.CreateList(ctx, contact.List{WorkspaceID: ws, Name: name})
	if err != nil {
		return s.ListByName(ctx, ws, name) // lost a race with another writer
	}
	return l, nil
}

// ListByName finds a list by its name.
func (s *Store) ListByName(ctx context.Context, ws int64, name string) (contact.List, error) {
	return s.scanList(s.db.QueryRowContext(ctx, s.q(`SELECT `+listColumns+` FROM lists WHERE workspace_id = ? AND name = ?`), ws, name))
}

// List returns one list by id.
func (s *Store) List(ctx context.Context, ws, id int64) (contact.List, error) {
	return s.scanList(s.db.QueryRowContext(ctx, s.q(`SELECT `+listColumns+` FROM lists WHERE workspace_id = ? AND id = ?`), ws, id))
}

func (s *Store) scanList(row rowScanner) (contact.List, error) {
	var l contact.List
	if err := row.Scan(&l.ID, &l.WorkspaceID, &l.Name, &l.Description, &l.Public, &l.CreatedAt); err != nil {
		return contact.List{}, fmt.Errorf("list: %w", mapErr(err))
	}
	return l, nil
}

// Lists returns every list of the workspace with its member count, by name.
func (s *Store) Lists(ctx context.Context, ws int64) ([]ListWithCount, error) {
	return s.queryLists(ctx, `WHERE l.workspace_id = ? ORDER BY l.name`, ws)
}

// ListsPage returns a page of the workspace's lists by name with their member counts: at
// most limit of those whose name sorts after after ("": from the first). Names are unique in
// a workspace, so the last name of a page is the cursor of the next.
func (s *Store) ListsPage(ctx context.Context, ws int64, after string, limit int) ([]ListWithCount, error) {
	return s.queryLists(ctx, `WHERE l.workspace_id = ? AND l.name > ? ORDER BY l.name LIMIT ?`, ws, after, limit)
}

// queryLists reads lists with their member counts; tail is the query's WHERE and ORDER BY.
func (s *Store) queryLists(ctx context.Context, tail string, args ...any) ([]ListWithCount, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT l.id, l.workspace_id, l.name, l.description, l.public, l.created_at,
		(SELECT count(*) FROM list_members m WHERE m.list_id = l.id)
		FROM lists l `+tail), args...)
	if err != nil {
		return nil, fmt.Errorf("lists: %w", err)
	}
	defer rows.Close()
	var out []ListWithCount
	for rows.Next() {
		var l ListWithCount
		if err := rows.Scan(&l.ID, &l.WorkspaceID, &l.Name, &l.Description, &l.Public, &l.CreatedAt, &l.Members); err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// ListWithCount is a list and how many contacts are on it.
type ListWithCount = contact.ListWithCount

// SetListPublic opens a list to public sign-up (or closes it) and returns the list.
func (s *Store) SetListPublic(ctx context.Context, ws, id int64, public bool) (contact.List, error) {
	err := s.execAudited(ctx, ws, fmt.Sprintf("list %d", id), "list.public", "list", id,
		`UPDATE lists SET public = ? WHERE workspace_id = ? AND id = ?`, []any{public, ws, id},
		audit.Set("public", strconv.FormatBool(public)))
	if err != nil {
		return contact.List{}, fmt.Errorf("set list %d public: %w", id, err)
	}
	return s.List(ctx, ws, id)
}

// HasPublicList reports whether the workspace has a list open to public sign-up.
func (s *Store) HasPublicList(ctx context.Context, ws int64) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM lists WHERE workspace_id = ? AND public = ?`), ws, true).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("public lists: %w", err)
	}
	return n > 0, nil
}

// DeleteList removes a list and its memberships (the contacts stay).
func (s *Store) DeleteList(ctx context.Context, ws, id int64) error {
	if err := s.deleteWithMembers(ctx, "lists", "list_id", ws, id, "list.delete", "list"); err != nil {
		return fmt.Errorf("delete list %d: %w", id, err)
	}
	return nil
}

type rowScanner interface{ Scan(dest ...any) error }
