package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/workspace"
)

// ErrLedgerKept is returned when a workspace to delete holds consent records: the ledger
// is append-only evidence and is never deleted.
var ErrLedgerKept = errors.New("the workspace holds consent records, which are kept as evidence")

// WorkspaceContents counts what a workspace holds (see workspace.Contents).
type WorkspaceContents = workspace.Contents

// workspaceTables are the tables counted by WorkspaceContentsOf, in the fields' order.
var workspaceTables = []string{"contacts", "lists", "consents", "suppressions", "api_tokens", "imports", "webhooks"}

// WorkspaceContentsOf counts the rows workspace ws holds.
func (s *Store) WorkspaceContentsOf(ctx context.Context, ws int64) (WorkspaceContents, error) {
	var c WorkspaceContents
	dst := []*int64{&c.Contacts, &c.Lists, &c.Consents, &c.Suppressions, &c.Tokens, &c.Imports, &c.Webhooks}
	for i, table := range workspaceTables {
		err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM `+table+` WHERE workspace_id = ?`), ws).Scan(dst[i])
		if err != nil {
			return c, fmt.Errorf("count %s: %w", table, err)
		}
	}
	return c, nil
}

// RenameWorkspace gives a workspace a new name; ErrNotFound or ErrConflict.
func (s *Store) RenameWorkspace(ctx context.Context, from, to string) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, s.q(`UPDATE workspaces SET name = ? WHERE name = ? RETURNING id`), to, from).Scan(&id); err != nil {
			return mapErr(err)
		}
		return s.auditTx(ctx, tx, id, "workspace.rename", "workspace", id, audit.Diff("name", from, to))
	})
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("workspace %q: %w", from, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("rename workspace %q to %q: %w", from, to, err)
	}
	return nil
}

// DeleteWorkspace deletes workspace ws and everything it holds, and records its id so that
// it is never given again. It refuses (ErrLedgerKept) when the workspace has consent records.
func (s *Store) DeleteWorkspace(ctx context.Context, ws Workspace) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var consents int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM consents WHERE workspace_id = ?`), ws.ID).Scan(&consents); err != nil {
			return err
		}
		if consents > 0 {
			return fmt.Errorf("workspace %q: %w", ws.Name, ErrLedgerKept)
		}
		// Tables without a cascading reference to workspaces first; the rest cascade.
		for _, table := range []string{"list_members", "contact_sources", "contacts", "suppression_audit",
			"suppressions", "suppression_seq", "webhook_deliveries"} {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM `+table+` WHERE workspace_id = ?`), ws.ID); err != nil {
				return fmt.Errorf("delete workspace %q (%s): %w", ws.Name, table, err)
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM workspaces WHERE id = ?`), ws.ID); err != nil {
			return fmt.Errorf("delete workspace %q: %w", ws.Name, err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO deleted_workspaces (id, name, deleted_at) VALUES (?, ?, ?)`),
			ws.ID, ws.Name, now()); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, ws.ID, "workspace.delete", "workspace", ws.ID, audit.Diff("name", ws.Name, ""))
	})
}

// freshDatabase reports whether no workspace was ever created (nor deleted) here.
func (s *Store) freshDatabase(ctx context.Context) (bool, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM workspaces) + (SELECT COUNT(*) FROM deleted_workspaces)`).Scan(&n)
	return n == 0, err
}

// ensureDefaultWorkspace creates the default workspace in a fresh database; once any
// workspace exists (or existed), workspaces come only from CreateWorkspace.
func (s *Store) ensureDefaultWorkspace(ctx context.Context) error {
	fresh, err := s.freshDatabase(ctx)
	if err != nil || !fresh {
		return err
	}
	_, err = s.EnsureWorkspace(audit.WithActor(ctx, audit.Actor{Kind: audit.System, Name: "open"}), DefaultWorkspace)
	return err
}
