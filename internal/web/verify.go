package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/clearlist/clearlist/internal/verify"
)

// Verifier checks addresses for the API (verify.Service implements it).
type Verifier interface {
	One(ctx context.Context, ws int64, address string, probe bool) (verify.Result, error)
	// StartJob verifies addrs, or the addresses of the list not checked within days, in the
	// background; an unknown list wraps errs.ErrNotFound.
	StartJob(ctx context.Context, ws int64, addrs []string, list string, days int) (verify.JobStatus, error)
	JobStatus(ctx context.Context, ws, id int64) (verify.JobStatus, error)
	// Jobs returns a page of the workspace's jobs, newest first (ids below before; 0: from the newest).
	Jobs(ctx context.Context, ws, before int64, limit int) ([]verify.JobStatus, error)
}

func (s *Server) verifyRoutes(api huma.API) {
	if s.cfg.Verifier == nil {
		return
	}
	tags := []string{"verification"}
	register(s, api, huma.Operation{OperationID: "verify-address", Method: http.MethodGet, Path: "/api/v1/verify",
		Summary: "Verify one e-mail address",
		Description: "Syntax, domain (MX, implicit MX, null MX), disposable/role/free lists and typos; with probe=true " +
			"also the receiving server (needs the workspace setting verify.probe). The result is stored.",
		Tags: tags, Errors: []int{http.StatusUnprocessableEntity}}, s.verifyAddress)
	register(s, api, huma.Operation{OperationID: "start-verify-job", Method: http.MethodPost, Path: "/api/v1/verify/jobs",
		Summary: "Verify many addresses in the background",
		Description: "Give addresses (up to 100,000), or a list (its contacts' addresses not checked within days). " +
			"Results are stored as they come; follow the job at /api/v1/verify/jobs/{id}.",
		DefaultStatus: http.StatusAccepted, Tags: tags, Errors: []int{http.StatusUnprocessableEntity}}, s.startVerifyJob)
	register(s, api, huma.Operation{OperationID: "get-verify-job", Method: http.MethodGet, Path: "/api/v1/verify/jobs/{id}",
		Summary: "Progress of a verification job", Tags: tags}, s.verifyJob)
	register(s, api, huma.Operation{OperationID: "list-verify-jobs", Method: http.MethodGet, Path: "/api/v1/verify/jobs",
		Summary: "The workspace's verification jobs and their progress, newest first", Tags: tags}, s.listVerifyJobs)
}

type listVerifyJobsInput struct {
	Before int64 `query:"before" minimum:"0" doc:"Cursor: jobs with a smaller id (the last id of the previous page)."`
	Limit  int   `query:"limit" minimum:"1" maximum:"1000" default:"50"`
}

type listVerifyJobsOutput struct {
	Body struct {
		Jobs []verify.JobStatus `json:"jobs"`
	}
}

func (s *Server) listVerifyJobs(ctx context.Context, in *listVerifyJobsInput) (*listVerifyJobsOutput, error) {
	js, err := s.cfg.Verifier.Jobs(ctx, workspace(ctx), in.Before, in.Limit)
	if err != nil {
		return nil, err
	}
	out := &listVerifyJobsOutput{}
	out.Body.Jobs = append([]verify.JobStatus{}, js...)
	return out, nil
}

type verifyAddressInput struct {
	Address string `query:"address" required:"true" maxLength:"4096"`
	Probe   bool   `query:"probe" doc:"Ask the receiving mail server too (SMTP RCPT, no message sent)."`
}

type verifyAddressOutput struct{ Body verify.Result }

func (s *Server) verifyAddress(ctx context.Context, in *verifyAddressInput) (*verifyAddressOutput, error) {
	r, err := s.cfg.Verifier.One(ctx, workspace(ctx), in.Address, in.Probe)
	if errors.Is(err, verify.ErrProbeOff) {
		return nil, invalid("query.probe", err.Error(), in.Probe)
	}
	if err != nil {
		return nil, err
	}
	return &verifyAddressOutput{Body: r}, nil
}

type verifyJobInput struct {
	Body struct {
		Addresses []string `json:"addresses,omitempty" maxItems:"100000"`
		List      string   `json:"list,omitempty" doc:"A list whose contacts' addresses to check."`
		Days      int      `json:"days,omitempty" minimum:"0" doc:"With list: skip addresses checked within this many days."`
	}
}

type verifyJobOutput struct{ Body verify.JobStatus }

func (s *Server) startVerifyJob(ctx context.Context, in *verifyJobInput) (*verifyJobOutput, error) {
	b := in.Body
	if (len(b.Addresses) == 0) == (b.List == "") {
		return nil, invalid("body", "give addresses or a list, not both", nil)
	}
	j, err := s.cfg.Verifier.StartJob(ctx, workspace(ctx), b.Addresses, b.List, b.Days)
	if err != nil {
		return nil, notFound(err, "list %q", b.List)
	}
	return &verifyJobOutput{Body: j}, nil
}

type verifyJobIDInput struct {
	ID int64 `path:"id"`
}

func (s *Server) verifyJob(ctx context.Context, in *verifyJobIDInput) (*verifyJobOutput, error) {
	j, err := s.cfg.Verifier.JobStatus(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "verification job %d", in.ID)
	}
	return &verifyJobOutput{Body: j}, nil
}
