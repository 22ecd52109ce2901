package app

import (
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/transactional"
)

// newTransactional builds the transactional stream: screened by the do-not-contact service,
// rendered like a campaign message with the composer's VERP return path, sent through the
// instance's one-message transport (not the campaigns' pool, so a marketing backlog never
// delays a receipt), its sender and rate from the workspace settings.
func (a *App) newTransactional() *transactional.Service {
	return transactional.New(a.st, a.Suppressions,
		campaign.TransactionalRenderer{BasicRenderer: &campaign.BasicRenderer{}, Composer: a.composer}, a.Sender(), a.Workspaces)
}
