package app

import (
	"fmt"

	"github.com/clearlist/clearlist/internal/deliver"
)

// openPool builds the campaign transport from the configured relays: a deliver.Pool whose
// per-relay and per-domain rates are token buckets in the store, so that they hold across
// every worker of every serve process. Without a relay, campaigns use a.Sender (the
// development outbox, or the sign-up mail's relay). The sign-up mail keeps its own sender.
func (a *App) openPool() error {
	relays, err := a.Cfg.CampaignRelays()
	if err != nil || len(relays) == 0 {
		return err
	}
	def, per, err := a.Cfg.DomainLimits()
	if err != nil {
		return err
	}
	cfg := deliver.PoolConfig{Relays: relays, Buckets: a.st}
	if def.PerSecond > 0 || len(per) > 0 {
		cfg.DomainLimiter = &deliver.SharedLimiter{Store: a.st, Default: def, Limits: per}
	}
	if a.pool, err = deliver.NewPool(cfg); err != nil {
		return fmt.Errorf("campaign relays: %w", err)
	}
	return nil
}

// campaignSender is the transport of campaign messages: the relay pool when relays are
// configured, else the same transport as the sign-up mail (the outbox by default).
func (a *App) campaignSender() deliver.Sender {
	var s deliver.Sender = a.pool
	if a.pool == nil {
		s = a.Sender()
	}
	if a.dkim != nil {
		s = deliver.SigningSender{Sender: s, DKIM: a.dkim}
	}
	return s
}

// Pool is the campaign relay pool, nil when no relay is configured (for its statistics).
func (a *App) Pool() *deliver.Pool { return a.pool }

// SignCampaignsWith makes every campaign message that carries no signature of its own
// DKIM-signed by s (`clearlist bench send --dkim`); it rebuilds App.Campaigns.
func (a *App) SignCampaignsWith(s *deliver.Signer) {
	a.dkim = s
	a.Campaigns = a.newCampaigns()
}
