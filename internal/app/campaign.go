package app

import (
	"cmp"
	"context"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/preflight"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/verify"
)

// newCampaigns builds the campaign service: the eligibility service screens the audience,
// the do-not-contact service screens again at send time, the composer renders each message
// with its footer, headers and signature (and checks the sender before a start), the
// configured transport sends, and the send jobs go on the instance's job queue.
func (a *App) newCampaigns() *campaign.Service {
	a.DKIM = campaign.NewDKIMKeys(a.st)
	a.composer = &campaign.Composer{Settings: a.Workspaces, Links: a.Unsub, Notices: a.Elig, Tracker: a.Track,
		Keys: a.st, DKIM: a.DKIM, PublicBase: a.Cfg.PublicURL, Resolver: a.preflightResolver, Relays: a.Cfg.PreflightRelays()}
	return campaign.New(campaign.Deps{Store: a.st, Eligibility: a.Elig, Screener: a.Suppressions,
		Renderer: a.composer, Gate: a.composer, Sources: a.st, Contacts: a.st, Sender: a.campaignSender(), Queue: &a.queue, Settings: a.Workspaces},
		campaign.Options{})
}

// preflightResolver is the DNS the sender pre-flight asks: the configured server, else the
// system's first name server. With neither a relay nor a DNS server configured (a fresh
// install mailing into the development outbox) there is none: nothing is looked up.
func (a *App) preflightResolver() (preflight.Resolver, error) {
	if a.Cfg.DNSServer == "" && len(a.Cfg.PreflightRelays()) == 0 {
		return nil, nil
	}
	return verify.NewDNSResolver(verify.DNSConfig{Server: a.Cfg.DNSServer})
}

// EnqueueCampaignSend queues one send job of a campaign.
func (q *jobQueue) EnqueueCampaignSend(ctx context.Context, ws, id int64, slot int, at time.Time) error {
	c, err := q.client(ctx)
	if err != nil {
		return err
	}
	return c.EnqueueCampaignSend(ctx, ws, id, slot, at)
}

// queueSendingCampaigns gives every sending campaign without a send job its workers.
func (a *App) queueSendingCampaigns(ctx context.Context, jc *jobs.Client) error {
	have, err := jc.CampaignJobs(ctx)
	if err != nil {
		return err
	}
	n, err := a.Campaigns.EnsureWorkers(ctx, func(ws, id int64) bool { return have[[2]int64{ws, id}] > 0 })
	if n > 0 {
		a.Log.Info("queued the send jobs of sending campaigns", "campaigns", n)
	}
	return err
}

// OfflineSender makes the campaigns' sender pre-flight look nothing up and gives their links
// base when none is configured (`clearlist bench`: its sender domain is made up).
func (a *App) OfflineSender(base string) {
	a.composer.Resolver, a.composer.PublicBase = nil, cmp.Or(a.composer.PublicBase, base)
}
