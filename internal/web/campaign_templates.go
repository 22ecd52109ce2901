package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/danielgtaylor/huma/v2"
)

// templateRoutes registers the /api/v1/templates operations.
func (s *Server) templateRoutes(api huma.API) {
	tags := []string{"campaigns"}
	errs := []int{http.StatusConflict, http.StatusUnprocessableEntity}
	register(s, api, huma.Operation{OperationID: "list-templates", Method: http.MethodGet, Path: "/api/v1/templates",
		Summary: "List the saved templates by name, a page at a time", Tags: tags}, s.listTemplates)
	register(s, api, huma.Operation{OperationID: "create-template", Method: http.MethodPost, Path: "/api/v1/templates",
		Summary: "Save a template", Tags: tags, DefaultStatus: http.StatusCreated, Errors: errs}, s.createTemplate)
	register(s, api, huma.Operation{OperationID: "get-template", Method: http.MethodGet, Path: "/api/v1/templates/{id}",
		Summary: "Get a template", Tags: tags}, s.getTemplate)
	register(s, api, huma.Operation{OperationID: "update-template", Method: http.MethodPut, Path: "/api/v1/templates/{id}",
		Summary: "Rewrite a template", Tags: tags, Errors: errs}, s.updateTemplate)
}

type templateBody struct {
	Name string `json:"name" minLength:"1" maxLength:"200"`
	campaign.Content
}

type templateInput struct {
	Body templateBody
}

type updateTemplateInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body templateBody
}

type templateOutput struct {
	Location string `header:"Location"`
	Body     campaign.Template
}

type listTemplatesInput struct {
	Limit  int    `query:"limit" default:"100" minimum:"1" maximum:"1000" doc:"Templates per page."`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page; leave out for the first page."`
}

type templatesOutput struct {
	Body struct {
		Items      []campaign.Template `json:"items"`
		NextCursor string              `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
	}
}

// listTemplates returns one page of the workspace's templates by name.
func (s *Server) listTemplates(ctx context.Context, in *listTemplatesInput) (*templatesOutput, error) {
	after, err := decodeNameCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	n := pageSize(in.Limit)
	ts, err := s.cfg.Campaigns.TemplatesPage(ctx, workspace(ctx), after, n+1)
	if err != nil {
		return nil, err
	}
	out := &templatesOutput{}
	if len(ts) > n {
		ts = ts[:n]
		out.Body.NextCursor = encodeNameCursor(ts[n-1].Name)
	}
	out.Body.Items = ts
	if ts == nil {
		out.Body.Items = []campaign.Template{}
	}
	return out, nil
}

func (s *Server) createTemplate(ctx context.Context, in *templateInput) (*templateOutput, error) {
	t, err := s.cfg.Campaigns.AddTemplate(ctx, campaign.Template{WorkspaceID: workspace(ctx), Name: in.Body.Name, Content: in.Body.Content})
	if err != nil {
		return nil, campaignError(err, "template")
	}
	return &templateOutput{Location: fmt.Sprintf("/api/v1/templates/%d", t.ID), Body: t}, nil
}

func (s *Server) getTemplate(ctx context.Context, in *campaignIDInput) (*templateOutput, error) {
	t, err := s.cfg.Campaigns.Template(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "template %d", in.ID)
	}
	return &templateOutput{Body: t}, nil
}

func (s *Server) updateTemplate(ctx context.Context, in *updateTemplateInput) (*templateOutput, error) {
	old, err := s.cfg.Campaigns.Template(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "template %d", in.ID)
	}
	t, err := s.cfg.Campaigns.UpdateTemplate(ctx, campaign.Template{ID: in.ID, WorkspaceID: workspace(ctx), Name: in.Body.Name,
		Content: in.Body.Content, CreatedAt: old.CreatedAt})
	if err != nil {
		return nil, campaignError(err, fmt.Sprintf("template %d", in.ID))
	}
	return &templateOutput{Body: t}, nil
}
