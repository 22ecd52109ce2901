package app

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/workspace"
)

// ErrNoWorkspace is returned (wrapped, with how to create it) when the named workspace does
// not exist.
var ErrNoWorkspace = errors.New("no such workspace")

// noWorkspaceError says how to create the missing workspace; errors.Is finds ErrNoWorkspace.
type noWorkspaceError struct{ msg string }

func (e noWorkspaceError) Error() string        { return e.msg }
func (e noWorkspaceError) Is(target error) bool { return target == ErrNoWorkspace }

// selectWorkspace finds the workspace to work in; an unknown name is an error that says how
// to create it and which workspaces exist.
func selectWorkspace(ctx context.Context, st *store.Store, name string) (store.Workspace, error) {
	if err := workspace.ValidName(name); err != nil {
		return store.Workspace{}, fmt.Errorf("--workspace: %w", err)
	}
	w, err := st.WorkspaceByName(ctx, name)
	if !errors.Is(err, store.ErrNotFound) {
		return w, err
	}
	all, err := st.Workspaces(ctx)
	if err != nil {
		return store.Workspace{}, err
	}
	names := make([]string, len(all))
	for i, x := range all {
		names[i] = x.Name
	}
	existing := "none"
	if len(names) > 0 {
		existing = strings.Join(names, ", ")
	}
	return store.Workspace{}, noWorkspaceError{fmt.Sprintf("no workspace %s; create it with `clearlist workspace create %s` (existing: %s)",
		name, name, existing)}
}

// Workspaces manages the workspaces of a database; it needs no workspace selected.
type Workspaces struct{ st *store.Store }

// OpenWorkspaces opens the database for managing its workspaces.
func OpenWorkspaces(ctx context.Context, dsn string) (*Workspaces, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &Workspaces{st: st}, nil
}

// Close releases the database.
func (w *Workspaces) Close() error { return w.st.Close() }

// Dialect names the database engine.
func (w *Workspaces) Dialect() store.Dialect { return w.st.Dialect() }

// WorkspaceInfo is a workspace with what it holds.
type WorkspaceInfo struct {
	store.Workspace
	Holds store.WorkspaceContents `json:"holds"`
}

// List returns every workspace with what it holds.
func (w *Workspaces) List(ctx context.Context) ([]WorkspaceInfo, error) {
	all, err := w.st.Workspaces(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]WorkspaceInfo, len(all))
	for i, x := range all {
		out[i].Workspace = x
		if out[i].Holds, err = w.st.WorkspaceContentsOf(ctx, x.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Create creates a workspace with a valid, unused name.
func (w *Workspaces) Create(ctx context.Context, name string) (store.Workspace, error) {
	if err := workspace.ValidName(name); err != nil {
		return store.Workspace{}, err
	}
	ws, err := w.st.CreateWorkspace(ctx, name)
	if errors.Is(err, store.ErrConflict) {
		return ws, fmt.Errorf("workspace %s already exists", name)
	}
	return ws, err
}

// Rename gives a workspace a new valid name. The old name need not be valid, so that a
// workspace named before names were checked can be renamed to one that is.
func (w *Workspaces) Rename(ctx context.Context, from, to string) error {
	if err := workspace.ValidName(to); err != nil {
		return err
	}
	err := w.st.RenameWorkspace(ctx, from, to)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("no workspace %s (see `clearlist workspace ls`)", from)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("workspace %s already exists: choose another name", to)
	}
	return err
}

// Delete deletes a workspace. One that holds anything is deleted only with force, and one
// with consent records never (the ledger is evidence).
func (w *Workspaces) Delete(ctx context.Context, name string, force bool) (store.WorkspaceContents, error) {
	ws, err := w.st.WorkspaceByName(ctx, name)
	if errors.Is(err, store.ErrNotFound) {
		return store.WorkspaceContents{}, fmt.Errorf("no workspace %s (see `clearlist workspace ls`)", name)
	}
	if err != nil {
		return store.WorkspaceContents{}, err
	}
	holds, err := w.st.WorkspaceContentsOf(ctx, ws.ID)
	if err != nil {
		return holds, err
	}
	if holds.Consents > 0 {
		return holds, fmt.Errorf("workspace %s holds %s: consent records are kept as evidence, so it cannot be deleted (rename it instead)",
			name, holds)
	}
	if !holds.Empty() && !force {
		return holds, fmt.Errorf("workspace %s holds %s: add --force to delete it with all of it", name, holds)
	}
	return holds, w.st.DeleteWorkspace(ctx, ws)
}
