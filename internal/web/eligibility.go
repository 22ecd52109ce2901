package web

import (
	"context"
	"errors"
	"net/http"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/danielgtaylor/huma/v2"
)

// Eligibility answers whether a workspace's contact may be contacted for a purpose on a
// channel; eligibility.Service implements it with the one policy evaluation campaigns use too.
type Eligibility interface {
	Eligibility(ctx context.Context, ws int64, email, purpose, channel string) (policy.Eligibility, error)
}

// eligibilityRoutes registers GET /api/v1/eligibility.
func (s *Server) eligibilityRoutes(api huma.API) {
	register(s, api, huma.Operation{OperationID: "get-eligibility", Method: http.MethodGet, Path: "/api/v1/eligibility",
		Summary: "May this contact be contacted for a purpose, and why",
		Description: "Returns allowed, the lawful basis and every reason (rule id, citation, sentence). " +
			"404 when the address is no contact of the token's workspace; 422 for an unknown purpose or channel, " +
			"with the valid values.",
		Tags: []string{"eligibility"}, Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity}}, s.getEligibility)
}

type eligibilityInput struct {
	Email   string `query:"email" required:"true" doc:"The contact's e-mail address."`
	Purpose string `query:"purpose" required:"true" doc:"A purpose of the workspace, e.g. newsletter."`
	Channel string `query:"channel" default:"email" doc:"email, phone or sms."`
}

type eligibilityOutput struct {
	Body policy.Eligibility
}

func (s *Server) getEligibility(ctx context.Context, in *eligibilityInput) (*eligibilityOutput, error) {
	if s.cfg.Eligibility == nil {
		return nil, huma.Error503ServiceUnavailable("eligibility is not available on this server")
	}
	e, err := s.cfg.Eligibility.Eligibility(ctx, workspace(ctx), in.Email, in.Purpose, in.Channel)
	switch {
	case errors.Is(err, policy.ErrUnknownPurpose):
		return nil, invalid("query.purpose", err.Error(), in.Purpose)
	case errors.Is(err, policy.ErrUnknownChannel):
		return nil, invalid("query.channel", err.Error(), in.Channel)
	case errors.Is(err, contact.ErrInvalidEmail):
		return nil, invalid("query.email", err.Error(), in.Email)
	case err != nil:
		return nil, notFound(err, "contact %q", in.Email)
	}
	return &eligibilityOutput{Body: e}, nil
}
