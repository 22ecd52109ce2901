package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/danielgtaylor/huma/v2"
)

// bounceRoutes registers the delivery events and the replies queued for review.
func (s *Server) bounceRoutes(api huma.API) {
	tags := []string{"bounces"}
	register(s, api, huma.Operation{OperationID: "list-bounce-events", Method: http.MethodGet, Path: "/api/v1/bounce/events",
		Summary: "Delivery events (bounces, complaints, replies, delivery reports) and what each did, newest first", Tags: tags},
		s.listBounceEvents)
	register(s, api, huma.Operation{OperationID: "list-bounce-reviews", Method: http.MethodGet, Path: "/api/v1/bounce/reviews",
		Summary: "Replies that may ask to stop, waiting for a person to decide", Tags: tags}, s.listBounceReviews)
	register(s, api, huma.Operation{OperationID: "decide-bounce-review", Method: http.MethodPost, Path: "/api/v1/bounce/reviews/{id}",
		Summary: "Decide a queued reply: stop puts the address on the do-not-contact list (request-email), dismiss does not",
		Tags:    tags, Errors: []int{http.StatusNotFound, http.StatusConflict}}, s.decideBounceReview)
}

type listBounceEventsInput struct {
	Campaign int64 `query:"campaign" minimum:"0" doc:"Only this campaign's events."`
	Before   int64 `query:"before" minimum:"0" doc:"Id to continue before (the last of the previous page)."`
	Limit    int   `query:"limit" minimum:"0" maximum:"1000" default:"100"`
}

type listBounceEventsOutput struct {
	Body struct {
		Items []bounce.Stored `json:"items"`
	}
}

func (s *Server) listBounceEvents(ctx context.Context, in *listBounceEventsInput) (*listBounceEventsOutput, error) {
	evs, err := s.cfg.Bounces.Events(ctx, workspace(ctx), bounce.EventFilter{CampaignID: in.Campaign, Before: in.Before, Limit: in.Limit})
	if err != nil {
		return nil, err
	}
	out := &listBounceEventsOutput{}
	out.Body.Items = append([]bounce.Stored{}, evs...)
	return out, nil
}

type listBounceReviewsInput struct {
	All bool `query:"all" doc:"Decided reviews too."`
}

type listBounceReviewsOutput struct {
	Body struct {
		Items []bounce.Review `json:"items"`
	}
}

func (s *Server) listBounceReviews(ctx context.Context, in *listBounceReviewsInput) (*listBounceReviewsOutput, error) {
	rs, err := s.cfg.Bounces.Reviews(ctx, workspace(ctx), in.All)
	if err != nil {
		return nil, err
	}
	out := &listBounceReviewsOutput{}
	out.Body.Items = append([]bounce.Review{}, rs...)
	return out, nil
}

type decideBounceReviewInput struct {
	ID   int64 `path:"id"`
	Body struct {
		Decision string `json:"decision" enum:"stop,dismiss" doc:"stop: the reply asks to stop; dismiss: it does not."`
	}
}

type decideBounceReviewOutput struct {
	Body bounce.Review
}

func (s *Server) decideBounceReview(ctx context.Context, in *decideBounceReviewInput) (*decideBounceReviewOutput, error) {
	a := audit.ActorFrom(ctx)
	by := "token:" + a.Name
	r, err := s.cfg.Bounces.Decide(ctx, workspace(ctx), in.ID, in.Body.Decision == "stop", by)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return nil, huma.Error404NotFound("no such review in this workspace")
	case errors.Is(err, bounce.ErrDecided):
		return nil, huma.Error409Conflict(err.Error())
	case err != nil:
		return nil, err
	}
	return &decideBounceReviewOutput{Body: r}, nil
}
