package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/danielgtaylor/huma/v2"
)

// campaignRoutes registers the /api/v1/campaigns and /api/v1/templates operations.
func (s *Server) campaignRoutes(api huma.API) {
	tags := []string{"campaigns"}
	op := func(id, method, path, summary string, status int) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags,
			DefaultStatus: status, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity}}
	}
	const one = "/api/v1/campaigns/{id}"
	register(s, api, op("list-campaigns", http.MethodGet, "/api/v1/campaigns", "List the campaigns", 0), s.listCampaigns)
	register(s, api, op("create-campaign", http.MethodPost, "/api/v1/campaigns", "Create a draft campaign", http.StatusCreated), s.createCampaign)
	register(s, api, op("get-campaign", http.MethodGet, one, "Get a campaign with its delivery counts", 0), s.getCampaign)
	register(s, api, op("update-campaign", http.MethodPut, one, "Rewrite a campaign that has not started", 0), s.updateCampaign)
	register(s, api, op("preflight-campaign", http.MethodGet, one+"/preflight",
		"Screen the audience as a start would and count it per exclusion reason (writes nothing)", 0), s.preflightCampaign)
	register(s, api, op("start-campaign", http.MethodPost, one+"/start", "Screen the audience, write the send log and start sending", 0), s.startCampaign)
	register(s, api, op("schedule-campaign", http.MethodPost, one+"/schedule",
		"Start a draft campaign by itself at a time (the audience is screened then)", 0), s.scheduleCampaign)
	register(s, api, op("pause-campaign", http.MethodPost, one+"/pause", "Pause a sending campaign", 0), s.pauseCampaign)
	register(s, api, op("resume-campaign", http.MethodPost, one+"/resume", "Resume a paused campaign", 0), s.resumeCampaign)
	register(s, api, op("cancel-campaign", http.MethodPost, one+"/cancel", "Cancel a campaign for good", 0), s.cancelCampaign)
	register(s, api, op("retry-campaign", http.MethodPost, one+"/retry",
		"Queue the failed or unknown deliveries again (unknown ones may reach a person twice)", 0), s.retryCampaign)
	register(s, api, op("test-campaign", http.MethodPost, one+"/test", "Send the message once to an address (writes nothing)", http.StatusNoContent), s.testCampaign)
	register(s, api, op("campaign-deliveries", http.MethodGet, one+"/deliveries",
		"List the send log: who is in each state, with the reason", 0), s.campaignDeliveries)
	s.templateRoutes(api)
	s.campaignABRoutes(api)
	s.campaignPreviewRoutes(api)
}

type campaignIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

// campaignBody is what a client gives of a campaign.
type campaignBody struct {
	Name        string  `json:"name" minLength:"1" maxLength:"200"`
	Purpose     string  `json:"purpose" minLength:"1" doc:"The purpose the audience must be eligible for."`
	Lists       []int64 `json:"lists" minItems:"1" doc:"The ids of the lists whose contacts are the audience."`
	FromName    string  `json:"from_name,omitempty" maxLength:"200"`
	FromAddress string  `json:"from_address" doc:"The sender's address."`
	ReplyTo     string  `json:"reply_to,omitempty"`
	TemplateID  int64   `json:"template_id,omitempty" doc:"A saved template as the message; or give the parts."`
	campaign.Content
	Rate    float64 `json:"rate,omitempty" minimum:"0" doc:"Most messages a second across every worker and server; 0 for no limit."`
	Workers int     `json:"workers,omitempty" minimum:"0" maximum:"32"`

	LocalTime string `json:"local_time,omitempty" doc:"HH:MM: send at this time of day in each recipient's time zone (timezone attribute, else country, else the workspace's campaign.timezone)."`

	TrackOpens  string  `json:"track_opens,omitempty" enum:"on,off,default," doc:"Open tracking for this campaign: on, off, or default (the workspace's tracking.opens). Individual tracking stays the workspace's choice."`
	TrackClicks string  `json:"track_clicks,omitempty" enum:"on,off,default," doc:"Click tracking for this campaign: on, off, or default (the workspace's tracking.clicks)."`
	AB          *abBody `json:"ab,omitempty" doc:"An A/B test of subject or content on a sample; the rest gets the winner."`
}

func (b campaignBody) campaign(ws int64) campaign.Campaign {
	return campaign.Campaign{WorkspaceID: ws, Name: b.Name, Purpose: b.Purpose, Channel: "email", Lists: b.Lists,
		FromName: b.FromName, FromAddress: b.FromAddress, ReplyTo: b.ReplyTo, TemplateID: b.TemplateID, Content: b.Content,
		Rate: b.Rate, Workers: b.Workers, LocalTime: b.LocalTime, TrackOpens: b.TrackOpens, TrackClicks: b.TrackClicks, AB: b.AB.test()}
}

type campaignInput struct {
	Body campaignBody
}

type updateCampaignInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body campaignBody
}

type campaignOutput struct {
	Location string `header:"Location"`
	Body     campaignWithCounts
}

type campaignWithCounts struct {
	campaign.Campaign
	Deliveries *campaign.Counts `json:"deliveries,omitempty"`
}

type campaignsOutput struct {
	Body struct {
		Items []campaign.Campaign `json:"items"`
	}
}

type audienceOutput struct {
	Body campaign.Audience
}

func (s *Server) listCampaigns(ctx context.Context, _ *struct{}) (*campaignsOutput, error) {
	cs, err := s.cfg.Campaigns.Campaigns(ctx, workspace(ctx))
	if err != nil {
		return nil, err
	}
	out := &campaignsOutput{}
	out.Body.Items = cs
	if cs == nil {
		out.Body.Items = []campaign.Campaign{}
	}
	return out, nil
}

func (s *Server) createCampaign(ctx context.Context, in *campaignInput) (*campaignOutput, error) {
	c, err := s.cfg.Campaigns.Create(ctx, in.Body.campaign(workspace(ctx)))
	if err != nil {
		return nil, campaignError(err, "campaign")
	}
	return &campaignOutput{Location: fmt.Sprintf("/api/v1/campaigns/%d", c.ID), Body: campaignWithCounts{Campaign: c}}, nil
}

func (s *Server) getCampaign(ctx context.Context, in *campaignIDInput) (*campaignOutput, error) {
	c, err := s.cfg.Campaigns.Campaign(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	counts, err := s.cfg.Campaigns.Report(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, err
	}
	return &campaignOutput{Body: campaignWithCounts{Campaign: c, Deliveries: &counts}}, nil
}

func (s *Server) updateCampaign(ctx context.Context, in *updateCampaignInput) (*campaignOutput, error) {
	c := in.Body.campaign(workspace(ctx))
	c.ID = in.ID
	c, err := s.cfg.Campaigns.Update(ctx, c)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	return &campaignOutput{Body: campaignWithCounts{Campaign: c}}, nil
}

func (s *Server) preflightCampaign(ctx context.Context, in *campaignIDInput) (*audienceOutput, error) {
	a, err := s.cfg.Campaigns.Preflight(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	return &audienceOutput{Body: a}, nil
}

func (s *Server) startCampaign(ctx context.Context, in *campaignIDInput) (*audienceOutput, error) {
	a, err := s.cfg.Campaigns.Start(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	return &audienceOutput{Body: a}, nil
}

type scheduleCampaignInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		At time.Time `json:"at" doc:"When the campaign starts (RFC 3339)."`
	}
}

func (s *Server) scheduleCampaign(ctx context.Context, in *scheduleCampaignInput) (*campaignOutput, error) {
	return s.afterMove(ctx, in.ID, s.cfg.Campaigns.Schedule(ctx, workspace(ctx), in.ID, in.Body.At))
}

type pauseCampaignInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body *struct {
		Reason string `json:"reason,omitempty" maxLength:"500" doc:"Why, shown with the campaign."`
	} `required:"false"`
}

func (s *Server) pauseCampaign(ctx context.Context, in *pauseCampaignInput) (*campaignOutput, error) {
	reason := ""
	if in.Body != nil {
		reason = strings.TrimSpace(in.Body.Reason)
	}
	return s.afterMove(ctx, in.ID, s.cfg.Campaigns.Pause(ctx, workspace(ctx), in.ID, reason))
}

func (s *Server) resumeCampaign(ctx context.Context, in *campaignIDInput) (*campaignOutput, error) {
	return s.afterMove(ctx, in.ID, s.cfg.Campaigns.Resume(ctx, workspace(ctx), in.ID))
}

func (s *Server) cancelCampaign(ctx context.Context, in *campaignIDInput) (*campaignOutput, error) {
	return s.afterMove(ctx, in.ID, s.cfg.Campaigns.Cancel(ctx, workspace(ctx), in.ID))
}

// afterMove answers a state change with the campaign as it is now.
func (s *Server) afterMove(ctx context.Context, id int64, err error) (*campaignOutput, error) {
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", id))
	}
	return s.getCampaign(ctx, &campaignIDInput{ID: id})
}

type retryCampaignInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		State string `json:"state" enum:"failed,unknown" doc:"Which deliveries to queue again."`
	}
}

type retryOutput struct {
	Body struct {
		Requeued int `json:"requeued"`
	}
}

func (s *Server) retryCampaign(ctx context.Context, in *retryCampaignInput) (*retryOutput, error) {
	n, err := s.cfg.Campaigns.Retry(ctx, workspace(ctx), in.ID, campaign.DeliveryState(in.Body.State))
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	out := &retryOutput{}
	out.Body.Requeued = n
	return out, nil
}

type testCampaignInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		To string `json:"to" minLength:"3" doc:"Where to send the test message."`
	}
}

func (s *Server) testCampaign(ctx context.Context, in *testCampaignInput) (*struct{}, error) {
	if err := s.cfg.Campaigns.TestSend(ctx, workspace(ctx), in.ID, in.Body.To); err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	return nil, nil
}

type deliveriesInput struct {
	ID    int64  `path:"id" minimum:"1"`
	State string `query:"state" enum:"queued,held,sending,sent,failed,unknown,excluded," doc:"Only this state; empty lists all (held: an A/B test's rest, waiting for the decision)."`
	After int64  `query:"after" minimum:"0" doc:"Contact id to continue after (the last of the previous page)."`
	Limit int    `query:"limit" minimum:"0" maximum:"10000" default:"1000"`
}

type deliveriesOutput struct {
	Body struct {
		Items []campaign.Delivery `json:"items"`
	}
}

func (s *Server) campaignDeliveries(ctx context.Context, in *deliveriesInput) (*deliveriesOutput, error) {
	ds, err := s.cfg.Campaigns.Deliveries(ctx, workspace(ctx), in.ID, campaign.DeliveryFilter{
		State: campaign.DeliveryState(in.State), After: in.After, Limit: in.Limit})
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	out := &deliveriesOutput{}
	out.Body.Items = ds
	if ds == nil {
		out.Body.Items = []campaign.Delivery{}
	}
	return out, nil
}

// campaignError maps the campaign service's errors: bad input is 422, a change the state
// does not allow (an edit while sending) or an empty audience is 409, a name taken is 409.
func campaignError(err error, what string) error {
	switch {
	case errors.Is(err, campaign.ErrInvalid):
		return huma.Error422UnprocessableEntity(err.Error())
	case errors.Is(err, campaign.ErrState), errors.Is(err, campaign.ErrEmptyAudience), errors.Is(err, errs.ErrConflict):
		return huma.Error409Conflict(err.Error())
	}
	return notFound(err, "%s", what)
}
