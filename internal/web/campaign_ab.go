package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/danielgtaylor/huma/v2"
)

// abBody is a campaign's A/B test as a client gives it.
type abBody struct {
	Variants []abVariantBody `json:"variants" minItems:"1" maxItems:"3" doc:"The variants besides A (the campaign's own message): B, C, D."`
	Sample   int             `json:"sample_percent,omitempty" minimum:"0" maximum:"100" doc:"The share of the screened audience in the test, split evenly among the variants (default 20)."`
	Metric   string          `json:"metric,omitempty" enum:"opens,clicks,clicks-per-delivered," doc:"What decides: opens (machine opens left out; weak since Apple Mail Privacy Protection), unique clicks, or clicks per delivered message (default clicks)."`
	Wait     string          `json:"wait,omitempty" doc:"How long after the sample has gone out the test is decided, e.g. 4h (default)."`
}

type abVariantBody struct {
	Subject    string `json:"subject,omitempty" maxLength:"998" doc:"Another subject for A's message."`
	TemplateID int64  `json:"template_id,omitempty" minimum:"0" doc:"A saved template as the variant's whole message."`
}

func (b *abBody) test() *campaign.ABTest {
	if b == nil {
		return nil
	}
	t := &campaign.ABTest{SamplePercent: b.Sample, Metric: campaign.Metric(b.Metric), Wait: b.Wait}
	for _, v := range b.Variants {
		t.Variants = append(t.Variants, campaign.Variant{Subject: v.Subject, TemplateID: v.TemplateID})
	}
	return t
}

// campaignABRoutes registers the A/B test's early pick.
func (s *Server) campaignABRoutes(api huma.API) {
	register(s, api, huma.Operation{OperationID: "pick-campaign-ab", Method: http.MethodPost, Path: "/api/v1/campaigns/{id}/ab/pick",
		Summary: "Decide the campaign's A/B test now: the held recipients get this variant", Tags: []string{"campaigns"},
		Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}}, s.pickCampaignAB)
}

type pickABInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Variant string `json:"variant" pattern:"^[A-Da-d]$" doc:"The winning variant: A (the campaign's own message), B, C or D."`
	}
}

type pickABOutput struct {
	Body *campaign.ABDecision
}

func (s *Server) pickCampaignAB(ctx context.Context, in *pickABInput) (*pickABOutput, error) {
	d, err := s.cfg.Campaigns.PickAB(ctx, workspace(ctx), in.ID, in.Body.Variant)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	return &pickABOutput{Body: d}, nil
}
