package app

import (
	"context"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/workspace"
)

// Instance is a database opened for what needs no workspace selected: managing workspaces,
// migrating.
type Instance struct {
	// Workspaces creates, lists, renames and deletes the workspaces.
	Workspaces *workspace.Service

	st *store.Store
}

// OpenInstance opens the database (running migrations) without selecting a workspace.
func OpenInstance(ctx context.Context, dsn string) (*Instance, error) {
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &Instance{Workspaces: workspace.New(st), st: st}, nil
}

// Close releases the database.
func (i *Instance) Close() error { return i.st.Close() }

// Dialect names the database engine (sqlite or postgres).
func (i *Instance) Dialect() string { return string(i.st.Dialect()) }
