package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"
)

// ServeID is a fresh ID for a serve process's working client (Options.ID): its host, its
// process id and a random part, so that no two processes, here or elsewhere, share one.
func ServeID() string {
	host, _ := os.Hostname()
	b := make([]byte, 6)
	rand.Read(b)
	return fmt.Sprintf("serve_%.40s_%d_%s", host, os.Getpid(), hex.EncodeToString(b))
}

// RescueOrphans takes up at once the jobs left running by a client that is gone (its process
// killed), rather than after River's rescuer delay (Options.RescueStuckJobsAfter, or a
// worker's own longer timeout: a day for verification jobs): alive says whether the client
// of that ID still runs (a claim its process holds, see Options.ID). A job with attempts left
// is made available to run again now, the others are discarded — as River's rescuer would,
// with the same error recorded on the job. It returns how many it took up. A serve process
// calls it before it starts working jobs.
func (c *Client) RescueOrphans(ctx context.Context, alive func(ctx context.Context, client string) (bool, error)) (int, error) {
	return c.rescue(ctx, alive)
}

func (c *client[TTx]) rescue(ctx context.Context, alive func(ctx context.Context, client string) (bool, error)) (int, error) {
	p := river.NewJobListParams().States(rivertype.JobStateRunning).First(10000)
	res, err := c.rc.JobList(ctx, p)
	if err != nil {
		return 0, fmt.Errorf("list running jobs: %w", err)
	}
	now := time.Now().UTC()
	params := &riverdriver.JobRescueManyParams{StuckHorizon: now.Add(time.Second)}
	known := map[string]bool{}
	for _, j := range res.Jobs {
		if len(j.AttemptedBy) == 0 {
			continue
		}
		by := j.AttemptedBy[len(j.AttemptedBy)-1]
		if by == c.id {
			continue
		}
		live, ok := known[by]
		if !ok {
			if live, err = alive(ctx, by); err != nil {
				return 0, err
			}
			known[by] = live
		}
		if live {
			continue
		}
		e, err := json.Marshal(rivertype.AttemptError{At: now, Attempt: max(j.Attempt, 0),
			Error: fmt.Sprintf("the process running it (job client %s) is gone; taken up by %s", by, c.id)})
		if err != nil {
			return 0, err
		}
		state, fin := rivertype.JobStateAvailable, (*time.Time)(nil)
		if j.Attempt >= j.MaxAttempts {
			state, fin = rivertype.JobStateDiscarded, &now
		}
		params.ID = append(params.ID, j.ID)
		params.Error = append(params.Error, e)
		params.FinalizedAt = append(params.FinalizedAt, fin)
		params.ScheduledAt = append(params.ScheduledAt, now)
		params.State = append(params.State, string(state))
	}
	if len(params.ID) == 0 {
		return 0, nil
	}
	if _, err := c.drv.GetExecutor().JobRescueMany(ctx, params); err != nil {
		return 0, fmt.Errorf("take up the jobs of a gone process: %w", err)
	}
	return len(params.ID), nil
}
