package app

import (
	"context"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/bounce/esp"
)

// newBounces builds the bounce service: the parser and classifier of bounce/dsn, the
// do-not-contact list, and the campaign guard its hard bounces and complaints feed.
func (a *App) newBounces() *bounce.Service {
	return bounce.New(a.st, a.Suppressions, bounce.Options{Parse: dsn.Parse, Classify: dsn.Classify,
		Guard: a.Campaigns, Log: a.Log})
}

// hooks is the mail providers' event webhooks (/hooks/{provider}/{workspace}): verified,
// replay-protected, and recorded by the bounce service.
func (a *App) hooks() *esp.Handler {
	return &esp.Handler{
		Workspace: func(ctx context.Context, name string) (int64, error) {
			w, err := a.st.WorkspaceByName(ctx, name)
			return w.ID, err
		},
		Settings: a.Workspaces, Nonces: a.st, Sink: a.Bounces, Log: a.Log,
	}
}
