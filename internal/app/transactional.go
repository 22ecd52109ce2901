package app

import "github.com/clearlist/clearlist/internal/transactional"

// newTransactional builds the transactional stream: screened by the do-not-contact service,
// rendered by campaign/render without the marketing footer, sent through the instance's
// one-message transport (not the campaigns' pool, so a marketing backlog never delays a
// receipt), its sender and rate from the workspace settings, and from the composer its VERP
// return path (so that its bounces count) and DKIM signature.
func (a *App) newTransactional() *transactional.Service {
	return transactional.New(a.st, a.Suppressions, a.composer, a.Sender(), a.Workspaces)
}
