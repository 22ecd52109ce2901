package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/riverqueue/river"
)

// KindCampaignSend is the job that sends a campaign: several run at once per campaign (one
// per worker slot), in any serve process on the database.
const KindCampaignSend = "campaign_send"

// QueueCampaign is the queue the send jobs run on, apart from the default queue's periodic
// and import jobs so that a long campaign never holds those back.
const QueueCampaign = "campaign"

// CampaignSendArgs names the campaign and the worker slot: ids only.
type CampaignSendArgs struct {
	WorkspaceID int64 `json:"workspace_id"`
	CampaignID  int64 `json:"campaign_id"`
	Slot        int   `json:"slot"`
}

// Kind names the job.
func (CampaignSendArgs) Kind() string { return KindCampaignSend }

// CampaignSender does the work of a send job (campaign.Service).
type CampaignSender interface {
	Send(ctx context.Context, ws, id int64, claim string) (campaign.SendResult, error)
}

// campaignWorker runs one send worker of a campaign until its queue is empty or it is
// paused. It has no time limit (a campaign takes as long as its rate says); after a kill the
// next serve takes it up at its start (RescueOrphans), and the rows the dead process held
// become unknown, never resent on their own. The claim under which it takes rows is the name
// of the client running it, which its serve process holds (store.ClaimProcess).
type campaignWorker struct {
	river.WorkerDefaults[CampaignSendArgs]
	svc CampaignSender
	log *slog.Logger
}

func (w *campaignWorker) Timeout(*river.Job[CampaignSendArgs]) time.Duration { return -1 }

func (w *campaignWorker) Work(ctx context.Context, j *river.Job[CampaignSendArgs]) error {
	ctx = asJob(ctx, j.JobRow)
	claim := ""
	if n := len(j.AttemptedBy); n > 0 {
		claim = j.AttemptedBy[n-1]
	}
	if claim == "" {
		return river.JobCancel(fmt.Errorf("campaign %d: the job has no client name to claim rows under", j.Args.CampaignID))
	}
	res, err := w.svc.Send(ctx, j.Args.WorkspaceID, j.Args.CampaignID, claim)
	if ctx.Err() != nil {
		// Stopped (shutdown): run again at the next start without spending an attempt.
		return river.JobSnooze(0)
	}
	switch {
	case errors.Is(err, campaign.ErrEmptyAudience), errors.Is(err, campaign.ErrInvalid), errors.Is(err, campaign.ErrState):
		// A scheduled start refused: trying again changes nothing (the campaign stays a draft
		// or scheduled; its owner sees why with campaign preflight).
		w.log.Warn("campaign send job gave up", "job_id", j.ID, "campaign", j.Args.CampaignID, "err", err)
		return river.JobCancel(err)
	case err != nil:
		return err
	}
	if res.Sent > 0 {
		w.log.Info("campaign worker done", "job_id", j.ID, "campaign", j.Args.CampaignID, "slot", j.Args.Slot, "sent", res.Sent)
	}
	if !res.RetryAt.IsZero() {
		return river.JobSnooze(max(time.Until(res.RetryAt), time.Second))
	}
	return nil
}

// CampaignOpts are the insert options of a send job, on its own queue, scheduled at at.
// Not unique: a resume while an old worker is still winding down adds a worker rather than
// being lost, and extra workers only share the queue (the rate is the shared bucket's).
func CampaignOpts(at time.Time) *river.InsertOpts {
	return &river.InsertOpts{Queue: QueueCampaign, MaxAttempts: 25, ScheduledAt: at}
}

// addCampaignWorker registers the send job's worker and its queue when the options carry a
// CampaignSender.
func addCampaignWorker(w *river.Workers, cfg *river.Config, o Options, log *slog.Logger) {
	if o.Campaigns == nil {
		return
	}
	river.AddWorker(w, &campaignWorker{svc: o.Campaigns, log: log})
	if d, ok := o.Campaigns.(ABDecider); ok {
		river.AddWorker(w, &abDecideWorker{svc: d, log: log})
	}
	n := o.CampaignWorkers
	if n <= 0 {
		n = 8
	}
	cfg.Queues[QueueCampaign] = river.QueueConfig{MaxWorkers: n}
}

// EnqueueCampaignSend inserts one send job of a campaign.
func (c *Client) EnqueueCampaignSend(ctx context.Context, ws, id int64, slot int, at time.Time) error {
	_, _, err := c.Enqueue(ctx, CampaignSendArgs{WorkspaceID: ws, CampaignID: id, Slot: slot}, CampaignOpts(at))
	return err
}

// CampaignJobs lists the campaigns that have a send job not finished.
func (c *Client) CampaignJobs(ctx context.Context) (map[[2]int64]int, error) {
	out := map[[2]int64]int{}
	for _, state := range []string{"running", "available", "scheduled", "retryable", "pending"} {
		js, err := c.List(ctx, Filter{Kind: KindCampaignSend, State: state, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, j := range js {
			var a CampaignSendArgs
			if err := json.Unmarshal([]byte(j.Args), &a); err != nil {
				return nil, fmt.Errorf("campaign job %d: %w", j.ID, err)
			}
			out[[2]int64{a.WorkspaceID, a.CampaignID}]++
		}
	}
	return out, nil
}
