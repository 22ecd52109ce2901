package web

import (
	"context"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/danielgtaylor/huma/v2"
)

type listContactsInput struct {
	List   string `query:"list" doc:"Only contacts on the list with this name."`
	ListID int64  `query:"list_id" minimum:"0" doc:"Only contacts on the list with this id."`
	Status string `query:"status" doc:"Only contacts with this status: active, unsubscribed, bounced or blocked."`
	Limit  int    `query:"limit" default:"100" minimum:"1" maximum:"1000" doc:"Contacts per page."`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page; leave out for the first page."`
}

type contactPage struct {
	Body struct {
		Items      []contact.Contact `json:"items"`
		NextCursor string            `json:"next_cursor,omitempty" doc:"Pass as cursor to get the next page; absent on the last page."`
	}
}

// listContacts returns one page of the workspace's contacts in id order.
func (s *Server) listContacts(ctx context.Context, in *listContactsInput) (*contactPage, error) {
	ws := workspace(ctx)
	after, err := decodeCursor(in.Cursor)
	if err != nil {
		return nil, err
	}
	f := contact.Filter{After: after, Limit: pageSize(in.Limit) + 1}
	if in.Status != "" {
		if f.Status, err = checkStatus("query.status", in.Status); err != nil {
			return nil, err
		}
	}
	if f.ListID, err = s.filterList(ctx, ws, in.List, in.ListID); err != nil {
		return nil, err
	}
	items, err := s.cfg.Contacts.Contacts(ctx, ws, f)
	if err != nil {
		return nil, err
	}
	out := &contactPage{}
	if n := pageSize(in.Limit); len(items) > n {
		items = items[:n]
		out.Body.NextCursor = encodeCursor(items[n-1].ID)
	}
	out.Body.Items = items
	if out.Body.Items == nil {
		out.Body.Items = []contact.Contact{}
	}
	return out, nil
}

// filterList resolves the list a listing is filtered by, by name or id (not both).
func (s *Server) filterList(ctx context.Context, ws int64, name string, id int64) (int64, error) {
	switch {
	case name != "" && id != 0:
		return 0, huma.Error400BadRequest("filter by list or by list_id, not both")
	case name != "":
		l, err := s.cfg.Contacts.ListByName(ctx, ws, name)
		if errors.Is(err, errs.ErrNotFound) {
			return 0, huma.Error404NotFound(fmt.Sprintf("list %q does not exist in this workspace; GET /api/v1/lists shows the lists", name))
		}
		return l.ID, err
	case id != 0:
		l, err := s.cfg.Contacts.List(ctx, ws, id)
		if errors.Is(err, errs.ErrNotFound) {
			return 0, huma.Error404NotFound(fmt.Sprintf("list %d does not exist in this workspace; GET /api/v1/lists shows the lists", id))
		}
		return l.ID, err
	}
	return 0, nil
}

// pageSize clamps a requested page size (huma has validated it already; this guards zero).
func pageSize(n int) int {
	switch {
	case n <= 0:
		return defaultPageSize
	case n > maxPageSize:
		return maxPageSize
	}
	return n
}
