package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// KindVerify is the job that runs one bulk address verification.
const KindVerify = "verify"

// VerifyArgs name the stored verification job to run: its row holds the addresses, so that
// no address (personal data) is copied into the job table.
type VerifyArgs struct {
	WorkspaceID int64 `json:"workspace_id"`
	VerifyJobID int64 `json:"verify_job_id"`
}

// Kind names the job.
func (VerifyArgs) Kind() string { return KindVerify }

// Verifier runs stored verification jobs (verify.Service implements it).
type Verifier interface {
	// RunJob works the job to its end, resuming from its recorded progress; an error asks
	// for another attempt.
	RunJob(ctx context.Context, ws, id int64) error
}

// VerifyTimeout bounds one attempt of a verification job; the next attempt resumes it.
const VerifyTimeout = 24 * time.Hour

// VerifyOpts are the insert options of a verification job: one waiting or running job per
// stored job (so that enqueueing it again, as a starting server does for every unfinished
// one, adds nothing).
func VerifyOpts() *river.InsertOpts {
	return &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

type verifyWorker struct {
	river.WorkerDefaults[VerifyArgs]
	v   Verifier
	log *slog.Logger
}

func (w *verifyWorker) Timeout(*river.Job[VerifyArgs]) time.Duration { return VerifyTimeout }

func (w *verifyWorker) Work(ctx context.Context, j *river.Job[VerifyArgs]) error {
	ctx = asJob(ctx, j.JobRow)
	return w.v.RunJob(ctx, j.Args.WorkspaceID, j.Args.VerifyJobID)
}

// EnqueueVerify asks for the stored verification job id of workspace ws to be run.
func (c *Client) EnqueueVerify(ctx context.Context, ws, id int64) error {
	_, _, err := c.Enqueue(ctx, VerifyArgs{WorkspaceID: ws, VerifyJobID: id}, VerifyOpts())
	return err
}
