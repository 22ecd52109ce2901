package jobs

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/clearlist/clearlist/internal/audit"
)

// AuditStore records a person's action on a job in the audit trail of their workspace.
type AuditStore interface {
	RecordJobAction(ctx context.Context, ws int64, action string, jobID int64, changes ...audit.Change) error
}

// Ops is what people do with jobs (from the command line, the API and the admin UI): list
// them, and retry, cancel or queue one — each change with an audit entry naming who asked
// (the actor of ctx), in the workspace they act in. A job of another workspace (an import, a
// verification, a campaign's sending) is not theirs to retry or cancel. River changes the job in its own tables
// first; the entry follows it, so a change that failed leaves no entry, and a failed entry
// is reported as an error (the job has then changed: the error says so).
type Ops struct {
	c  *Client
	st AuditStore
}

// NewOps returns the job operations over a client.
func NewOps(c *Client, st AuditStore) *Ops { return &Ops{c: c, st: st} }

// List lists jobs, newest first.
func (o *Ops) List(ctx context.Context, f Filter) ([]Job, error) { return o.c.List(ctx, f) }

// Get returns one job.
func (o *Ops) Get(ctx context.Context, id int64) (Job, error) { return o.c.Get(ctx, id) }

// WorkspaceOf returns the workspace a job works for (its arguments' workspace_id: an import,
// a verification, a campaign's sending), or 0 for the instance's periodic jobs.
func WorkspaceOf(j Job) int64 {
	var a struct {
		WorkspaceID int64 `json:"workspace_id"`
	}
	_ = json.Unmarshal([]byte(j.Args), &a) // arguments without one (or not JSON) are the instance's
	return a.WorkspaceID
}

// mine returns a job that is the instance's or the workspace's; another workspace's job is
// not found (its people alone retry or cancel it).
func (o *Ops) mine(ctx context.Context, ws, id int64) (Job, error) {
	j, err := o.c.Get(ctx, id)
	if err != nil {
		return Job{}, err
	}
	if w := WorkspaceOf(j); w != 0 && w != ws {
		return Job{}, ErrNotFound
	}
	return j, nil
}

// Retry makes a job available to run again now (job.retry).
func (o *Ops) Retry(ctx context.Context, ws, id int64) (Job, error) {
	before, err := o.mine(ctx, ws, id)
	if err != nil {
		return Job{}, err
	}
	j, err := o.c.Retry(ctx, id)
	if err != nil {
		return Job{}, err
	}
	return j, o.record(ctx, ws, "job.retry", before.State, j)
}

// Cancel cancels a job that has not finished (job.cancel).
func (o *Ops) Cancel(ctx context.Context, ws, id int64) (Job, error) {
	before, err := o.mine(ctx, ws, id)
	if err != nil {
		return Job{}, err
	}
	j, err := o.c.Cancel(ctx, id)
	if err != nil {
		return Job{}, err
	}
	return j, o.record(ctx, ws, "job.cancel", before.State, j)
}

// RunNow queues a one-off run of a periodic job's kind (job.run).
func (o *Ops) RunNow(ctx context.Context, ws int64, kind string) (Job, error) {
	j, err := o.c.RunNow(ctx, kind)
	if err != nil {
		return Job{}, err
	}
	return j, o.record(ctx, ws, "job.run", "", j)
}

func (o *Ops) record(ctx context.Context, ws int64, action, before string, j Job) error {
	err := o.st.RecordJobAction(ctx, ws, action, j.ID, audit.Set("kind", j.Kind), audit.Diff("state", before, j.State))
	if err != nil {
		return fmt.Errorf("job %d is now %s, but its audit entry could not be written: %w", j.ID, j.State, err)
	}
	return nil
}
