package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/danielgtaylor/huma/v2"
)

// listRoutes registers the /api/v1/lists operations.
func (s *Server) listRoutes(api huma.API) {
	tags := []string{"lists"}
	register(s, api, huma.Operation{OperationID: "list-lists", Method: http.MethodGet, Path: "/api/v1/lists",
		Summary: "List the lists with their member counts, by name, a page at a time", Tags: tags}, s.listLists)
	register(s, api, huma.Operation{OperationID: "create-list", Method: http.MethodPost, Path: "/api/v1/lists",
		Summary: "Create a list", Tags: tags, DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict}}, s.createList)
	register(s, api, huma.Operation{OperationID: "get-list", Method: http.MethodGet, Path: "/api/v1/lists/{id}",
		Summary: "Get a list", Tags: tags}, s.getList)
	register(s, api, huma.Operation{OperationID: "update-list", Method: http.MethodPatch, Path: "/api/v1/lists/{id}",
		Summary: "Open a list to public sign-up or close it", Tags: tags}, s.updateList)
	register(s, api, huma.Operation{OperationID: "delete-list", Method: http.MethodDelete, Path: "/api/v1/lists/{id}",
		Summary: "Delete a list (its contacts stay)", Tags: tags, DefaultStatus: http.StatusNoContent}, s.deleteList)
}

type listIDInput struct {
	ID int64 `path:"id" minimum:"1"`
}

type listOutput struct {
	Location string `header:"Location"`
	Body     contact.List
}

type listListsInput struct {
	Limit  int    `query:"limit" default:"100" minimum:"1" maximum:"1000" doc:"Lists per page."`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page; leave out for the first page."`
}

type listsOutput struct {
	Body struct {
		Items      []contact.ListWithCount `json:"items"`
		NextCursor string                  `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
	}
}

type createListInput struct {
	Body struct {
		Name        string `json:"name" minLength:"1" maxLength:"200" doc:"A name unique in the workspace."`
		Description string `json:"description,omitempty" maxLength:"2000"`
		Public      bool   `json:"public,omitempty" doc:"Open to public sign-up (the subscribe page and API); default false."`
	}
}

type updateListInput struct {
	ID   int64 `path:"id" minimum:"1"`
	Body struct {
		Public *bool `json:"public" required:"true" doc:"true opens the list to public sign-up; false closes it."`
	}
}

// listLists returns one page of the workspace's lists by name, with their member counts.
func (s *Server) listLists(ctx context.Context, in *listListsInput) (*listsOutput, error) {
	after, err := decodeNameCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	n := pageSize(in.Limit)
	items, err := s.cfg.Contacts.ListsPage(ctx, workspace(ctx), after, n+1)
	if err != nil {
		return nil, err
	}
	out := &listsOutput{}
	if len(items) > n {
		items = items[:n]
		out.Body.NextCursor = encodeNameCursor(items[n-1].Name)
	}
	out.Body.Items = items
	if items == nil {
		out.Body.Items = []contact.ListWithCount{}
	}
	return out, nil
}

func (s *Server) createList(ctx context.Context, in *createListInput) (*listOutput, error) {
	l, err := s.cfg.Contacts.CreateList(ctx, workspace(ctx), in.Body.Name, in.Body.Description, in.Body.Public)
	if err != nil {
		return nil, contactError(err, "body.")
	}
	return &listOutput{Location: fmt.Sprintf("/api/v1/lists/%d", l.ID), Body: l}, nil
}

func (s *Server) getList(ctx context.Context, in *listIDInput) (*listOutput, error) {
	l, err := s.cfg.Contacts.List(ctx, workspace(ctx), in.ID)
	if err != nil {
		return nil, notFound(err, "list %d", in.ID)
	}
	return &listOutput{Body: l}, nil
}

func (s *Server) updateList(ctx context.Context, in *updateListInput) (*listOutput, error) {
	if in.Body.Public == nil {
		return nil, invalid("body.public", "say whether the list is open to public sign-up: true or false", nil)
	}
	l, err := s.cfg.Contacts.SetListPublic(ctx, workspace(ctx), in.ID, *in.Body.Public)
	if err != nil {
		return nil, notFound(err, "list %d", in.ID)
	}
	return &listOutput{Body: l}, nil
}

func (s *Server) deleteList(ctx context.Context, in *listIDInput) (*struct{}, error) {
	if err := s.cfg.Contacts.DeleteList(ctx, workspace(ctx), in.ID); err != nil {
		return nil, notFound(err, "list %d", in.ID)
	}
	return nil, nil
}
