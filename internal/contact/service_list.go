package contact

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/errs"
)

// CreateList adds a list to the workspace. The name, trimmed, must not be empty and must be
// unused in the workspace (an error matching errs.ErrConflict says so).
func (s *Service) CreateList(ctx context.Context, ws int64, name, description string, public bool) (List, error) {
	trimmed := strings.TrimSpace(name)
	if trimmed == "" {
		return List{}, inputError("name", "the list needs a name that is not only spaces", name)
	}
	l, err := s.store.CreateList(ctx, List{WorkspaceID: ws, Name: trimmed, Description: strings.TrimSpace(description), Public: public})
	if errors.Is(err, errs.ErrConflict) {
		return List{}, conflict{fmt.Sprintf("a list named %q exists already; choose another name", trimmed)}
	}
	return l, err
}

// EnsureList returns the workspace's list with this name, creating it (private, checked as
// CreateList checks it) when there is none yet; an import that names a list uses it.
func (s *Service) EnsureList(ctx context.Context, ws int64, name string) (List, error) {
	l, err := s.ListByName(ctx, ws, name)
	if !errors.Is(err, errs.ErrNotFound) {
		return l, err
	}
	l, err = s.CreateList(ctx, ws, name, "", false)
	if errors.Is(err, errs.ErrConflict) { // another writer created it at the same time
		return s.ListByName(ctx, ws, name)
	}
	return l, err
}

// List returns list id of the workspace.
func (s *Service) List(ctx context.Context, ws, id int64) (List, error) {
	return s.store.List(ctx, ws, id)
}

// ListByName returns the workspace's list with this name; errs.ErrNotFound when none.
func (s *Service) ListByName(ctx context.Context, ws int64, name string) (List, error) {
	return s.store.ListByName(ctx, ws, strings.TrimSpace(name))
}

// Lists returns every list of the workspace, by name, with its member count.
func (s *Service) Lists(ctx context.Context, ws int64) ([]ListWithCount, error) {
	return s.store.Lists(ctx, ws)
}

// ListsPage returns a page of the workspace's lists by name with their member counts: at
// most limit of those whose name sorts after after ("": from the first).
func (s *Service) ListsPage(ctx context.Context, ws int64, after string, limit int) ([]ListWithCount, error) {
	return s.store.ListsPage(ctx, ws, after, limit)
}

// SetListPublic opens list id to public sign-up (the subscribe page and API) or closes it.
func (s *Service) SetListPublic(ctx context.Context, ws, id int64, public bool) (List, error) {
	return s.store.SetListPublic(ctx, ws, id, public)
}

// DeleteList removes list id and its memberships; the contacts stay.
func (s *Service) DeleteList(ctx context.Context, ws, id int64) error {
	return s.store.DeleteList(ctx, ws, id)
}
