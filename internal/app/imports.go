package app

import "github.com/clearlist/clearlist/internal/imports"

// importService builds the import service on the configuration as it is now (serve builds
// its own when it starts, for the data folder it serves uploads from). Exports are screened
// by the do-not-contact service.
func (a *App) importService() *imports.Service {
	return imports.New(a.st, a.Contacts, a.Suppressions, imports.Config{DataDir: a.Cfg.DataDir, DefaultRegion: a.Cfg.DefaultRegion,
		Log: a.Log, Suppressor: a.Suppressions, AfterUpload: a.Verify.VerifyImported})
}
