package app

import (
	"context"

	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/imports"
)

// importService builds the import service on the configuration as it is now (serve builds
// its own when it starts, for the data folder it serves uploads from).
func (a *App) importService() *imports.Service {
	return imports.New(a.Store, a.Contacts, exportScreen{a}, imports.Config{DataDir: a.Cfg.DataDir, DefaultRegion: a.Cfg.DefaultRegion,
		Log: a.Log, AfterUpload: a.verifyAfterImport})
}

// exportScreen screens exports against the workspace's and the instance's do-not-contact
// lists.
type exportScreen struct{ a *App }

func (e exportScreen) Blocked(ctx context.Context, ws int64) (func(email, phone string) bool, error) {
	s, err := e.a.Suppressions.Screen(ctx, ws, true)
	if err != nil {
		return nil, err
	}
	return func(email, phone string) bool { return eligibility.Blocked(s, email, phone, "", "") }, nil
}
