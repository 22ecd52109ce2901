package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/jobs"
)

// Jobs lists the background jobs, and retries, cancels or queues one with an audit entry in
// the workspace of whoever asked (jobs.Ops implements it).
type Jobs interface {
	List(ctx context.Context, f jobs.Filter) ([]jobs.Job, error)
	Retry(ctx context.Context, ws, id int64) (jobs.Job, error)
	Cancel(ctx context.Context, ws, id int64) (jobs.Job, error)
	RunNow(ctx context.Context, ws int64, kind string) (jobs.Job, error)
}

func (s *Server) jobRoutes(api huma.API) {
	if s.cfg.Jobs == nil {
		return
	}
	tags := []string{"jobs"}
	register(s, api, huma.Operation{OperationID: "list-jobs", Method: http.MethodGet, Path: "/api/v1/jobs",
		Summary: "List background jobs",
		Description: "The latest background jobs of the instance (double opt-in expiry, implied-consent lapse, " +
			"re-verification, webhook rounds), newest first: kind, state, attempts, errors, scheduled and finished " +
			"times. Retry or cancel one with `clearlist jobs retry|cancel ID` or the routes below.",
		Tags: tags, Errors: []int{http.StatusUnprocessableEntity}}, s.listJobs)
	register(s, api, huma.Operation{OperationID: "retry-job", Method: http.MethodPost, Path: "/api/v1/jobs/{id}/retry",
		Summary: "Run a job again now (a failed, cancelled or finished one); audited as job.retry",
		Tags:    tags, Errors: []int{http.StatusNotFound}}, s.retryJob)
	register(s, api, huma.Operation{OperationID: "cancel-job", Method: http.MethodPost, Path: "/api/v1/jobs/{id}/cancel",
		Summary: "Cancel a job that has not finished (a running one is asked to stop); audited as job.cancel",
		Tags:    tags, Errors: []int{http.StatusNotFound}}, s.cancelJob)
	register(s, api, huma.Operation{OperationID: "run-job", Method: http.MethodPost, Path: "/api/v1/jobs/run",
		Summary: "Queue a one-off run of a periodic job; audited as job.run", DefaultStatus: http.StatusAccepted,
		Tags: tags, Errors: []int{http.StatusUnprocessableEntity}}, s.runJob)
}

type listJobsInput struct {
	Kind  string `query:"kind" enum:"doi_expiry,implied_consent_lapse,reverify,webhook_deliveries,import," doc:"Only jobs of this kind."`
	State string `query:"state" enum:"available,scheduled,running,retryable,completed,cancelled,discarded,pending," doc:"Only jobs in this state."`
	Limit int    `query:"limit" minimum:"0" maximum:"1000" doc:"How many of the latest jobs (default 50)."`
}

type listJobsOutput struct {
	Body struct {
		Jobs []jobs.Job `json:"jobs"`
	}
}

func (s *Server) listJobs(ctx context.Context, in *listJobsInput) (*listJobsOutput, error) {
	js, err := s.cfg.Jobs.List(ctx, jobs.Filter{Kind: in.Kind, State: in.State, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	out := &listJobsOutput{}
	out.Body.Jobs = js
	if out.Body.Jobs == nil {
		out.Body.Jobs = []jobs.Job{}
	}
	return out, nil
}

type jobIDInput struct {
	ID int64 `path:"id"`
}

type jobOutput struct{ Body jobs.Job }

func (s *Server) retryJob(ctx context.Context, in *jobIDInput) (*jobOutput, error) {
	return jobAnswer(s.cfg.Jobs.Retry(ctx, workspace(ctx), in.ID))
}

func (s *Server) cancelJob(ctx context.Context, in *jobIDInput) (*jobOutput, error) {
	return jobAnswer(s.cfg.Jobs.Cancel(ctx, workspace(ctx), in.ID))
}

type runJobInput struct {
	Body struct {
		Kind string `json:"kind" enum:"doi_expiry,implied_consent_lapse,reverify,webhook_deliveries,audit_prune,bounce_prune" doc:"The periodic job to run once now."`
	}
}

func (s *Server) runJob(ctx context.Context, in *runJobInput) (*jobOutput, error) {
	return jobAnswer(s.cfg.Jobs.RunNow(ctx, workspace(ctx), in.Body.Kind))
}

func jobAnswer(j jobs.Job, err error) (*jobOutput, error) {
	if errors.Is(err, jobs.ErrNotFound) {
		return nil, huma.Error404NotFound("no such job; see GET /api/v1/jobs")
	}
	if err != nil {
		return nil, err
	}
	return &jobOutput{Body: j}, nil
}
