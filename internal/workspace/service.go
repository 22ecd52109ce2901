package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/errs"
)

// Store is what the workspace service needs from the database. Each change is one store
// call in one transaction with its audit entry.
type Store interface {
	// SettingOfAll returns one setting's value in every workspace that set it.
	SettingOfAll(ctx context.Context, name string) (map[int64]string, error)
	Workspaces(ctx context.Context) ([]Workspace, error)
	WorkspaceByName(ctx context.Context, name string) (Workspace, error)
	CreateWorkspace(ctx context.Context, name string) (Workspace, error)
	CreateWorkspaceOwned(ctx context.Context, name string, userID int64) (Workspace, error)
	RenameWorkspace(ctx context.Context, from, to string) error
	DeleteWorkspace(ctx context.Context, w Workspace) error
	WorkspaceContentsOf(ctx context.Context, ws int64) (Contents, error)
	Setting(ctx context.Context, ws int64, name string) (value string, ok bool, err error)
	SetSetting(ctx context.Context, ws int64, name, value string) error
	SetSettings(ctx context.Context, ws int64, values map[string]string) error
	// Secret settings are kept wrapped with the signing keys (settings_secret.go).
	PutSigningKey(ctx context.Context, ws int64, name string, secret []byte, action string, changes ...audit.Change) error
	ExistingSigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
}

// Service creates, lists, renames and deletes workspaces and reads and changes their settings.
type Service struct{ st Store }

// New returns the workspace service over st.
func New(st Store) *Service { return &Service{st: st} }

// ErrNoWorkspace is returned (wrapped, with how to create it) when the named workspace does
// not exist.
var ErrNoWorkspace = errors.New("no such workspace")

// noWorkspaceError says how to create the missing workspace; errors.Is finds ErrNoWorkspace.
type noWorkspaceError struct{ msg string }

func (e noWorkspaceError) Error() string        { return e.msg }
func (e noWorkspaceError) Is(target error) bool { return target == ErrNoWorkspace }

// Select finds the workspace to work in (--workspace); an unknown name is an error that says
// how to create it and which workspaces exist.
func (s *Service) Select(ctx context.Context, name string) (Workspace, error) {
	if err := ValidName(name); err != nil {
		return Workspace{}, fmt.Errorf("--workspace: %w", err)
	}
	w, err := s.st.WorkspaceByName(ctx, name)
	if !errors.Is(err, errs.ErrNotFound) {
		return w, err
	}
	all, err := s.st.Workspaces(ctx)
	if err != nil {
		return Workspace{}, err
	}
	names := make([]string, len(all))
	for i, x := range all {
		names[i] = x.Name
	}
	existing := "none"
	if len(names) > 0 {
		existing = strings.Join(names, ", ")
	}
	return Workspace{}, noWorkspaceError{fmt.Sprintf("no workspace %s; create it with `clearlist workspace create %s` (existing: %s)",
		name, name, existing)}
}

// Info is a workspace with what it holds.
type Info struct {
	Workspace
	Holds Contents `json:"holds"`
}

// List returns every workspace with what it holds.
func (s *Service) List(ctx context.Context) ([]Info, error) {
	all, err := s.st.Workspaces(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Info, len(all))
	for i, x := range all {
		out[i].Workspace = x
		if out[i].Holds, err = s.st.WorkspaceContentsOf(ctx, x.ID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Create creates a workspace with a valid, unused name.
func (s *Service) Create(ctx context.Context, name string) (Workspace, error) {
	if err := ValidName(name); err != nil {
		return Workspace{}, err
	}
	ws, err := s.st.CreateWorkspace(ctx, name)
	if errors.Is(err, errs.ErrConflict) {
		return ws, fmt.Errorf("workspace %s already exists", name)
	}
	return ws, err
}

// Rename gives a workspace a new valid name. The old name need not be valid, so that a
// workspace named before names were checked can be renamed to one that is.
func (s *Service) Rename(ctx context.Context, from, to string) error {
	if err := ValidName(to); err != nil {
		return err
	}
	err := s.st.RenameWorkspace(ctx, from, to)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return fmt.Errorf("no workspace %s (see `clearlist workspace ls`)", from)
	case errors.Is(err, errs.ErrConflict):
		return fmt.Errorf("workspace %s already exists: choose another name", to)
	}
	return err
}

// Delete deletes a workspace. One that holds anything is deleted only with force, and one
// with consent records never (the ledger is evidence; the store checks that again in the
// deleting transaction).
func (s *Service) Delete(ctx context.Context, name string, force bool) (Contents, error) {
	ws, err := s.st.WorkspaceByName(ctx, name)
	if errors.Is(err, errs.ErrNotFound) {
		return Contents{}, fmt.Errorf("no workspace %s (see `clearlist workspace ls`)", name)
	}
	if err != nil {
		return Contents{}, err
	}
	holds, err := s.st.WorkspaceContentsOf(ctx, ws.ID)
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
	return holds, s.st.DeleteWorkspace(ctx, ws)
}
