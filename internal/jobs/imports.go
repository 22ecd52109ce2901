package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/clearlist/clearlist/internal/imports"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// KindImport is the job that imports a file uploaded to the server.
const KindImport = "import"

// ImportArgs names the upload to import: ids only, no personal data (the request, kept
// beside the upload in the server's data folder, says the rest).
type ImportArgs struct {
	WorkspaceID int64 `json:"workspace_id"`
	ImportID    int64 `json:"import_id"`
}

// Kind names the job.
func (ImportArgs) Kind() string { return KindImport }

// Importer runs uploaded imports: the work of the import job.
type Importer interface {
	// RunUpload runs the import from its start or after its last committed row. It returns
	// imports.ErrClaimed when another process runs it, and an error wrapping
	// imports.ErrUnrunnable when it can never run.
	RunUpload(ctx context.Context, ws, id int64) error
}

// importClaimedRetry is how long a job whose import another process runs waits to try again
// (it then finds the import done, or takes it up where that process left it).
const importClaimedRetry = 10 * time.Second

// importWorker runs one uploaded import. It has no time limit: a file takes as long as its
// rows do. River's rescuer therefore never takes up one left running by a killed server;
// the next serve does at its start (RescueOrphans), and the run resumes after the import's
// last committed row.
type importWorker struct {
	river.WorkerDefaults[ImportArgs]
	imp Importer
	log *slog.Logger
}

func (w *importWorker) Timeout(*river.Job[ImportArgs]) time.Duration { return -1 }

func (w *importWorker) Work(ctx context.Context, j *river.Job[ImportArgs]) error {
	ctx = asJob(ctx, j.JobRow)
	err := w.imp.RunUpload(ctx, j.Args.WorkspaceID, j.Args.ImportID)
	switch {
	case errors.Is(err, imports.ErrClaimed):
		w.log.Info("the import is run by another process; trying again later", "job_id", j.ID, "import", j.Args.ImportID)
		return river.JobSnooze(importClaimedRetry)
	case errors.Is(err, imports.ErrUnrunnable):
		return river.JobCancel(err)
	}
	return err
}

// ImportOpts are the insert options of an import job: one waiting or running job per import
// (so that queueing it again, as a starting server does for every upload without a job,
// adds nothing); one that keeps failing (its database unreachable, its upload in another
// server's folder) is tried for about a day before it is discarded.
func ImportOpts() *river.InsertOpts {
	return &river.InsertOpts{MaxAttempts: 12, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
		rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
		rivertype.JobStateRetryable, rivertype.JobStateScheduled}}}
}

// addImportWorker registers the import job's worker when the options carry an Importer.
func addImportWorker(w *river.Workers, o Options, log *slog.Logger) {
	if o.Imports != nil {
		river.AddWorker(w, &importWorker{imp: o.Imports, log: log})
	}
}

// EnqueueImport inserts the job that runs upload import id of workspace ws.
func (c *Client) EnqueueImport(ctx context.Context, ws, id int64) error {
	_, _, err := c.Enqueue(ctx, ImportArgs{WorkspaceID: ws, ImportID: id}, ImportOpts())
	return err
}

// ImportJobs lists the import jobs that have not finished (at most 1000).
func (c *Client) ImportJobs(ctx context.Context) ([]imports.QueuedImport, error) {
	var out []imports.QueuedImport
	for _, state := range []string{"running", "available", "scheduled", "retryable", "pending"} {
		js, err := c.List(ctx, Filter{Kind: KindImport, State: state, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, j := range js {
			var a ImportArgs
			if err := json.Unmarshal([]byte(j.Args), &a); err != nil {
				return nil, fmt.Errorf("import job %d: %w", j.ID, err)
			}
			out = append(out, imports.QueuedImport{JobID: j.ID, WorkspaceID: a.WorkspaceID, ImportID: a.ImportID})
		}
	}
	return out, nil
}
