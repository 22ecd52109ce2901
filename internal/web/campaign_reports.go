package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/clearlist/clearlist/internal/campaign/report"
	"github.com/danielgtaylor/huma/v2"
)

// reportRoutes registers the campaign report operations (read only).
func (s *Server) reportRoutes(api huma.API) {
	op := func(id, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: http.MethodGet, Path: "/api/v1/campaigns/{id}" + path, Summary: summary,
			Tags: []string{"campaigns"}, Errors: []int{http.StatusUnprocessableEntity}}
	}
	register(s, api, op("campaign-report", "/report",
		"Count sent, delivered, failed, unknown, excluded (per reason), bounced, complained, unsubscribed, opened and clicked, with rates"),
		s.campaignReport)
	register(s, api, op("campaign-report-domains", "/report/domains", "The report per receiving domain"), s.campaignReportDomains)
	register(s, api, op("campaign-report-hours", "/report/hours", "The report per hour (UTC)"), s.campaignReportHours)
	register(s, api, op("campaign-recipients", "/recipients",
		"Who is in a bucket, a page at a time (opened and clicked only with individual tracking)"), s.campaignRecipients)
	register(s, api, op("campaign-recipients-export", "/recipients/export",
		"Everyone in a bucket as one CSV or JSON-lines download"), s.exportCampaignRecipients)
}

type reportOutput struct {
	Body report.Summary
}

func (s *Server) campaignReport(ctx context.Context, in *campaignIDInput) (*reportOutput, error) {
	r, err := s.cfg.Reports.Summary(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	return &reportOutput{Body: r}, nil
}

type reportDomainsOutput struct {
	Body struct {
		Items []report.Domain `json:"items"`
	}
}

func (s *Server) campaignReportDomains(ctx context.Context, in *campaignIDInput) (*reportDomainsOutput, error) {
	ds, err := s.cfg.Reports.Domains(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	out := &reportDomainsOutput{}
	out.Body.Items = append([]report.Domain{}, ds...)
	return out, nil
}

type reportHoursOutput struct {
	Body struct {
		Items []report.Hour `json:"items"`
	}
}

func (s *Server) campaignReportHours(ctx context.Context, in *campaignIDInput) (*reportHoursOutput, error) {
	hs, err := s.cfg.Reports.Hours(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	out := &reportHoursOutput{}
	out.Body.Items = append([]report.Hour{}, hs...)
	return out, nil
}

type recipientsInput struct {
	ID     int64  `path:"id" minimum:"1"`
	Bucket string `query:"bucket" required:"true" enum:"sent,delivered,failed,unknown,excluded,queued,bounced,complained,unsubscribed,opened,clicked"`
	After  int64  `query:"after" minimum:"0" doc:"Contact id to continue after (next_after of the previous page)."`
	Limit  int    `query:"limit" minimum:"0" maximum:"10000" default:"1000"`
}

type recipientsOutput struct {
	Body struct {
		Items     []report.Member `json:"items"`
		NextAfter int64           `json:"next_after,omitempty" doc:"Give as after for the next page; absent on the last."`
	}
}

func (s *Server) campaignRecipients(ctx context.Context, in *recipientsInput) (*recipientsOutput, error) {
	ms, next, err := s.cfg.Reports.Members(ctx, workspace(ctx), in.ID, report.Page{Bucket: report.Bucket(in.Bucket), After: in.After, Limit: in.Limit})
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	out := &recipientsOutput{}
	out.Body.Items = append([]report.Member{}, ms...)
	out.Body.NextAfter = next
	return out, nil
}

type exportRecipientsInput struct {
	ID     int64  `path:"id" minimum:"1"`
	Bucket string `query:"bucket" required:"true" enum:"sent,delivered,failed,unknown,excluded,queued,bounced,complained,unsubscribed,opened,clicked"`
	Format string `query:"format" enum:"csv,jsonl" default:"csv"`
}

func (s *Server) exportCampaignRecipients(ctx context.Context, in *exportRecipientsInput) (*huma.StreamResponse, error) {
	ws, b := workspace(ctx), report.Bucket(in.Bucket)
	// Ask once before the first byte: a refusal (no such campaign, aggregate tracking) is
	// still a status code, not a broken download.
	if _, _, err := s.cfg.Reports.Members(ctx, ws, in.ID, report.Page{Bucket: b, Limit: 1}); err != nil {
		return nil, campaignError(err, fmt.Sprintf("campaign %d", in.ID))
	}
	ctype, ext := "text/csv; charset=utf-8", "csv"
	if in.Format == "jsonl" {
		ctype, ext = "application/x-ndjson", "jsonl"
	}
	return &huma.StreamResponse{Body: func(hc huma.Context) {
		hc.SetHeader("Content-Type", ctype)
		hc.SetHeader("Content-Disposition", fmt.Sprintf(`attachment; filename="campaign-%d-%s.%s"`, in.ID, b, ext))
		if err := s.cfg.Reports.Export(ctx, ws, in.ID, b, in.Format, hc.BodyWriter()); err != nil {
			s.log.WarnContext(ctx, "export campaign recipients", "campaign_id", in.ID, "bucket", b, "err", err)
		}
	}}, nil
}
