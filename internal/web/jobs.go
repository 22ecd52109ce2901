package web

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/jobs"
)

// Jobs lists the background jobs (the River client implements it).
type Jobs interface {
	List(ctx context.Context, f jobs.Filter) ([]jobs.Job, error)
}

func (s *Server) jobRoutes(api huma.API) {
	if s.cfg.Jobs == nil {
		return
	}
	register(s, api, huma.Operation{OperationID: "list-jobs", Method: http.MethodGet, Path: "/api/v1/jobs",
		Summary: "List background jobs",
		Description: "The latest background jobs of the instance (double opt-in expiry, implied-consent lapse, " +
			"re-verification, webhook rounds), newest first: kind, state, attempts, errors, scheduled and finished " +
			"times. Retry or cancel one with `clearlist jobs retry|cancel ID`.",
		Tags: []string{"jobs"}, Errors: []int{http.StatusUnprocessableEntity}}, s.listJobs)
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
