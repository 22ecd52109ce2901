package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/danielgtaylor/huma/v2"
)

// campaignPreviewRoutes registers the preview of a campaign's message as one contact.
func (s *Server) campaignPreviewRoutes(api huma.API) {
	register(s, api, huma.Operation{OperationID: "preview-campaign", Method: http.MethodGet, Path: "/api/v1/campaigns/{id}/preview",
		Summary: "Render the campaign's message as one contact would get it (no tracking; writes nothing)", Tags: []string{"campaigns"},
		Errors: []int{http.StatusUnprocessableEntity}}, s.previewCampaign)
}

type previewCampaignInput struct {
	ID      int64  `path:"id" minimum:"1"`
	Email   string `query:"email" required:"true" doc:"The e-mail address of the contact whose attributes personalise the message."`
	Variant string `query:"variant" pattern:"^[A-Da-d]?$" doc:"The A/B variant to show (A, the campaign's own message, by default)."`
}

type previewCampaignOutput struct {
	Body campaign.Preview
}

func (s *Server) previewCampaign(ctx context.Context, in *previewCampaignInput) (*previewCampaignOutput, error) {
	p, err := s.cfg.Campaigns.Preview(ctx, workspace(ctx), in.ID, in.Email, in.Variant)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	return &previewCampaignOutput{Body: p}, nil
}
