package app

import (
	"context"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/jobs"
)

// newCampaigns builds the campaign service: the eligibility service screens the audience,
// the do-not-contact service screens again at send time, the configured transport sends, and
// the send jobs go on the instance's job queue.
func (a *App) newCampaigns() *campaign.Service {
	return campaign.New(campaign.Deps{Store: a.st, Eligibility: a.Elig, Screener: a.Suppressions,
		Renderer: &campaign.BasicRenderer{}, Sender: a.campaignSender(), Queue: &a.queue, Settings: a.Workspaces},
		campaign.Options{})
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
