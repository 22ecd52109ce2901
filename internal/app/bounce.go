package app

import "github.com/clearlist/clearlist/internal/bounce"

// newBounces builds the bounce service. Parse and Classify (dsn.Parse, dsn.Classify) are
// wired when the parser lands; until then IngestMessage answers bounce.ErrNoParser and
// Record classifies by status code.
func (a *App) newBounces() *bounce.Service {
	return bounce.New(a.st, a.Suppressions, bounce.Options{Guard: a.Campaigns, Log: a.Log})
}
