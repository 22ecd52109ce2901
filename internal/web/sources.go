package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/danielgtaylor/huma/v2"
)

// sourceRoutes registers the /api/v1/sources and /api/v1/source-types operations.
func (s *Server) sourceRoutes(api huma.API) {
	tags := []string{"sources"}
	register(s, api, huma.Operation{OperationID: "list-sources", Method: http.MethodGet, Path: "/api/v1/sources",
		Summary: "List sources, newest first", Tags: tags}, s.listSources)
	register(s, api, huma.Operation{OperationID: "create-source", Method: http.MethodPost, Path: "/api/v1/sources",
		Summary: "Record a source", Tags: tags, DefaultStatus: http.StatusCreated}, s.createSource)
	register(s, api, huma.Operation{OperationID: "get-source", Method: http.MethodGet, Path: "/api/v1/sources/{id}",
		Summary: "Get a source", Tags: tags}, s.getSource)
	register(s, api, huma.Operation{OperationID: "list-source-types", Method: http.MethodGet, Path: "/api/v1/source-types",
		Summary: "List the known source types", Tags: tags}, s.listSourceTypes)
}

type sourceOutput struct {
	Location string `header:"Location"`
	Body     contact.Source
}

type sourcePage struct {
	Body struct {
		Items      []contact.Source `json:"items"`
		NextCursor string           `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
	}
}

type listSourcesInput struct {
	Limit  int    `query:"limit" default:"100" minimum:"1" maximum:"1000" doc:"Sources per page."`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page; leave out for the first page."`
}

func (s *Server) listSources(ctx context.Context, in *listSourcesInput) (*sourcePage, error) {
	before, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	n := pageSize(in.Limit)
	items, err := s.cfg.Contacts.Sources(ctx, workspace(ctx), before, n+1)
	if err != nil {
		return nil, err
	}
	out := &sourcePage{}
	if len(items) > n {
		items = items[:n]
		out.Body.NextCursor = encodeCursor(items[n-1].ID)
	}
	out.Body.Items = items
	if items == nil {
		out.Body.Items = []contact.Source{}
	}
	return out, nil
}

type createSourceInput struct {
	Body sourceBody
}

func (s *Server) createSource(ctx context.Context, in *createSourceInput) (*sourceOutput, error) {
	src, err := s.cfg.Contacts.CreateSource(ctx, workspace(ctx), in.Body.source())
	if err != nil {
		return nil, contactError(err, "body.")
	}
	return &sourceOutput{Location: fmt.Sprintf("/api/v1/sources/%d", src.ID), Body: src}, nil
}

type sourceIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

func (s *Server) getSource(ctx context.Context, in *sourceIDInput) (*sourceOutput, error) {
	src, err := s.cfg.Contacts.Source(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "source %d", in.ID)
	}
	return &sourceOutput{Body: src}, nil
}

// sourceType is one known way of obtaining contacts.
type sourceType struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type sourceTypesOutput struct {
	Body struct {
		Items []sourceType `json:"items"`
	}
}

func (s *Server) listSourceTypes(context.Context, *struct{}) (*sourceTypesOutput, error) {
	out := &sourceTypesOutput{}
	for _, info := range policy.Default().Sources() {
		out.Body.Items = append(out.Body.Items, sourceType{Name: info.Slug, Description: info.Label})
	}
	slices.SortFunc(out.Body.Items, func(a, b sourceType) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
