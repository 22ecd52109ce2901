package app

import (
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

// BenchSender readies the workspace's campaigns for `clearlist bench send`: a sender identity
// and postal address for the footer, and no DNS look-ups in the sender pre-flight (the
// bench's sender domain is made up and its relay is a sink on this machine).
func (a *App) BenchSender(ctx context.Context, ws int64) error {
	for name, v := range map[string]string{campaign.SettingSenderName: "clearlist bench",
		campaign.SettingPostalAddress: "1 Bench Street, 10115 Berlin, Germany"} {
		if err := a.Workspaces.SetSetting(ctx, ws, name, v); err != nil {
			return err
		}
	}
	a.composer.Resolver = nil
	if a.composer.PublicBase == "" {
		a.composer.PublicBase = "http://127.0.0.1:8080" // the links' base: nobody follows them here
	}
	return nil
}
