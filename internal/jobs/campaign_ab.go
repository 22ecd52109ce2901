package jobs

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/clearlist/clearlist/internal/campaign"
)

// KindCampaignABDecide is the job that decides a campaign's A/B test once its wait after the
// sample is over, and releases the held rest with the winner.
const KindCampaignABDecide = "campaign_ab_decide"

// CampaignABDecideArgs names the campaign: ids only.
type CampaignABDecideArgs struct {
	WorkspaceID int64 `json:"workspace_id"`
	CampaignID  int64 `json:"campaign_id"`
}

// Kind names the job.
func (CampaignABDecideArgs) Kind() string { return KindCampaignABDecide }

// ABDecider does the work of a decision job (campaign.Service).
type ABDecider interface {
	DecideAB(ctx context.Context, ws, id int64) (*campaign.ABDecision, error)
}

// CampaignABDecideOpts are the insert options of a decision job: scheduled at at, and unique
// per campaign in every state, finished ones included — every idle worker of the campaign
// asks for it, and the test is decided once (the store refuses a second decision anyway).
func CampaignABDecideOpts(at time.Time) *river.InsertOpts {
	return &river.InsertOpts{Queue: QueueCampaign, MaxAttempts: 25, ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true,
		ByState: []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
			rivertype.JobStateRetryable, rivertype.JobStateScheduled, rivertype.JobStateCompleted,
			rivertype.JobStateCancelled, rivertype.JobStateDiscarded}}}
}

type abDecideWorker struct {
	river.WorkerDefaults[CampaignABDecideArgs]
	svc ABDecider
	log *slog.Logger
}

func (w *abDecideWorker) Work(ctx context.Context, j *river.Job[CampaignABDecideArgs]) error {
	ctx = asJob(ctx, j.JobRow)
	d, err := w.svc.DecideAB(ctx, j.Args.WorkspaceID, j.Args.CampaignID)
	switch {
	case errors.Is(err, campaign.ErrState):
		return nil // decided meanwhile (picked by hand): nothing left to do
	case err != nil:
		return err
	}
	if d != nil {
		w.log.Info("campaign A/B test decided", "job_id", j.ID, "campaign", j.Args.CampaignID, "winner", d.Winner, "reason", d.Reason)
	}
	return nil
}

// EnqueueABDecide inserts the decision job of a campaign's A/B test (once per campaign).
func (c *Client) EnqueueABDecide(ctx context.Context, ws, id int64, at time.Time) error {
	_, _, err := c.Enqueue(ctx, CampaignABDecideArgs{WorkspaceID: ws, CampaignID: id}, CampaignABDecideOpts(at))
	return err
}
