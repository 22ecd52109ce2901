package app

import (
	"context"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/transactional"
)

// newTransactional builds the transactional stream: screened by the do-not-contact service,
// rendered like a campaign message, sent through the instance's one-message transport (not
// the campaigns' pool, so a marketing backlog never delays a receipt), its sender and rate
// from the workspace settings, and a VERP return path so that its bounces count.
func (a *App) newTransactional() *transactional.Service {
	return transactional.New(a.st, a.Suppressions, transactionalRenderer{BasicRenderer: &campaign.BasicRenderer{}, rp: a.composer},
		a.Sender(), a.Workspaces)
}

// transactionalRenderer renders as BasicRenderer and gives messages the composer's VERP
// return path (bounces+WS.0.ID@bounce domain).
type transactionalRenderer struct {
	*campaign.BasicRenderer
	rp *campaign.Composer
}

func (r transactionalRenderer) TransactionalReturnPath(ctx context.Context, ws, id int64, from string) (string, error) {
	return r.rp.TransactionalReturnPath(ctx, ws, id, from)
}
