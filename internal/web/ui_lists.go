package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
)

// The lists pages call the contact service as the /api/v1/lists routes do, and each action
// is offered to, and accepted from, the roles of its API route.
const (
	uiListRoute       = "GET /api/v1/lists/{id}"
	uiListCreateRoute = "POST /api/v1/lists"
	uiListUpdateRoute = "PATCH /api/v1/lists/{id}"
	uiListDeleteRoute = "DELETE /api/v1/lists/{id}"
)

// uiMembersPageSize is the number of members on a page of a list; uiListsPageSize the
// number of lists on a page of the listing.
const (
	uiMembersPageSize = 50
	uiListsPageSize   = 50
)

// uiListRoutes registers the lists pages.
func (s *Server) uiListRoutes(rt *router) {
	page := func(pattern string, h http.HandlerFunc) { rt.Handle(pattern, s.requireSession(h)) }
	page("GET /ui/lists", s.uiLists)
	page("POST /ui/lists", s.uiCreateList)
	page("GET /ui/lists/{id}", s.uiList)
	page("POST /ui/lists/{id}/public", s.uiSetListPublic)
	page("GET /ui/lists/{id}/delete", s.uiConfirmDeleteList)
	page("POST /ui/lists/{id}/delete", s.uiDeleteList)
}

// uiListsData is the lists page with its form to create a list.
type uiListsData struct {
	Nav                             uiNav
	Lists                           []contact.ListWithCount
	CanCreate, CanChange, CanDelete bool
	// The create form as sent, when it was refused.
	Name, Description string
	Public            bool
	Field, Error      string
	// NextCursor continues the listing after this page; "" on the last page.
	NextCursor string
	PageError  string // the page link was not one the listing gave out
}

func (s *Server) listsData(r *http.Request) uiListsData {
	return uiListsData{Nav: s.nav(r, "lists"), CanCreate: s.may(r, uiListCreateRoute),
		CanChange: s.may(r, uiListUpdateRoute), CanDelete: s.may(r, uiListDeleteRoute)}
}

func (s *Server) uiLists(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiListsRoute, "lists", s.cfg.Contacts != nil) {
		return
	}
	s.renderLists(w, r, http.StatusOK, s.listsData(r))
}

// renderLists reads the lists with their member counts and renders the page.
func (s *Server) renderLists(w http.ResponseWriter, r *http.Request, status int, d uiListsData) {
	ss, _ := sessionOf(r.Context())
	after := ""
	if r.Method == http.MethodGet { // a refused form shows the first page again
		var err error
		if after, err = decodeNameCursor(r.URL.Query().Get("cursor")); err != nil {
			d.PageError = "That page link is out of date; start again from the first page."
			s.renderUI(w, r, http.StatusBadRequest, listsPage(d))
			return
		}
	}
	lists, err := s.cfg.Contacts.ListsPage(r.Context(), ss.WorkspaceID, after, uiListsPageSize+1)
	if err != nil {
		s.uiFail(w, r, "lists", "lists", err)
		return
	}
	if len(lists) > uiListsPageSize {
		lists = lists[:uiListsPageSize]
		d.NextCursor = encodeNameCursor(lists[uiListsPageSize-1].Name)
	}
	d.Lists = lists
	s.renderUI(w, r, status, listsPage(d))
}

// listAction lets a changing request through when the server has lists and the role may
// call the API route of the action; it answers otherwise.
func (s *Server) listAction(w http.ResponseWriter, r *http.Request, route string) bool {
	if !s.uiGate(w, r, uiListsRoute, "lists", s.cfg.Contacts != nil) {
		return false
	}
	if !s.may(r, route) {
		ss, _ := sessionOf(r.Context())
		s.uiError(w, r, "lists", http.StatusForbidden, "Your role ("+ss.Role+") may not change lists; ask an owner for another role.")
		return false
	}
	return true
}

func (s *Server) uiCreateList(w http.ResponseWriter, r *http.Request) {
	if !s.listAction(w, r, uiListCreateRoute) {
		return
	}
	d := s.listsData(r)
	d.Name, d.Description, d.Public = r.PostFormValue("name"), r.PostFormValue("description"), r.PostFormValue("public") != ""
	switch {
	case strings.TrimSpace(d.Name) == "":
		d.Field, d.Error = "name", "Give the list a name."
	case utf8.RuneCountInString(d.Name) > 200:
		d.Field, d.Error = "name", "The name is longer than 200 characters; shorten it."
	case utf8.RuneCountInString(d.Description) > 2000:
		d.Field, d.Error = "description", "The description is longer than 2,000 characters; shorten it."
	}
	if d.Error != "" {
		s.renderLists(w, r, http.StatusUnprocessableEntity, d)
		return
	}
	ss, _ := sessionOf(r.Context())
	l, err := s.cfg.Contacts.CreateList(r.Context(), ss.WorkspaceID, d.Name, d.Description, d.Public)
	var in *contact.InputError
	switch {
	case errors.As(err, &in):
		d.Field, d.Error = in.Field, in.Msg
		s.renderLists(w, r, http.StatusUnprocessableEntity, d)
		return
	case errors.Is(err, errs.ErrConflict):
		d.Field, d.Error = "name", err.Error()
		s.renderLists(w, r, http.StatusConflict, d)
		return
	case err != nil:
		s.uiFail(w, r, "lists", "list", err)
		return
	}
	http.Redirect(w, r, listURL(l.ID), http.StatusSeeOther)
}

// uiListData is a list's page: the list, its members (a page of them) and what the role may do.
type uiListData struct {
	Nav                  uiNav
	List                 contact.List
	Members              []contact.Contact
	ShowMembers          bool
	NextCursor           string
	CanChange, CanDelete bool
	Error                string
}

// readList reads the list of the page's path, or answers the request.
func (s *Server) readList(w http.ResponseWriter, r *http.Request) (contact.List, bool) {
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "lists", http.StatusNotFound, "There is no such list in this workspace.")
		return contact.List{}, false
	}
	ss, _ := sessionOf(r.Context())
	l, err := s.cfg.Contacts.List(r.Context(), ss.WorkspaceID, id)
	if err != nil {
		s.uiFail(w, r, "lists", "list", err)
		return contact.List{}, false
	}
	return l, true
}

func (s *Server) uiList(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiListRoute, "lists", s.cfg.Contacts != nil) {
		return
	}
	l, ok := s.readList(w, r)
	if !ok {
		return
	}
	d := uiListData{Nav: s.nav(r, "lists"), List: l, CanChange: s.may(r, uiListUpdateRoute),
		CanDelete: s.may(r, uiListDeleteRoute), ShowMembers: s.may(r, uiContactsRoute)}
	if d.ShowMembers {
		after, err := decodeCursor(r.URL.Query().Get("cursor"))
		if err != nil {
			d.Error = "That page link is out of date; start again from the first page."
			s.renderUI(w, r, http.StatusBadRequest, listPage(d))
			return
		}
		ss, _ := sessionOf(r.Context())
		items, err := s.cfg.Contacts.Contacts(r.Context(), ss.WorkspaceID, contact.Filter{ListID: l.ID, After: after, Limit: uiMembersPageSize + 1})
		if err != nil {
			s.uiFail(w, r, "lists", "list's members", err)
			return
		}
		if len(items) > uiMembersPageSize {
			items = items[:uiMembersPageSize]
			d.NextCursor = encodeCursor(items[uiMembersPageSize-1].ID)
		}
		d.Members = items
	}
	s.renderUI(w, r, http.StatusOK, listPage(d))
}

func (s *Server) uiSetListPublic(w http.ResponseWriter, r *http.Request) {
	if !s.listAction(w, r, uiListUpdateRoute) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "lists", http.StatusNotFound, "There is no such list in this workspace.")
		return
	}
	public, err := strconv.ParseBool(r.PostFormValue("public"))
	if err != nil {
		s.uiError(w, r, "lists", http.StatusBadRequest, "Say whether the list is open to public sign-up: use the buttons of the lists page.")
		return
	}
	ss, _ := sessionOf(r.Context())
	if _, err := s.cfg.Contacts.SetListPublic(r.Context(), ss.WorkspaceID, id, public); err != nil {
		s.uiFail(w, r, "lists", "list", err)
		return
	}
	back := "/ui/lists"
	if r.PostFormValue("back") == "list" {
		back = listURL(id)
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (s *Server) uiConfirmDeleteList(w http.ResponseWriter, r *http.Request) {
	if !s.listAction(w, r, uiListDeleteRoute) {
		return
	}
	if l, ok := s.readList(w, r); ok {
		s.renderUI(w, r, http.StatusOK, deleteListPage(s.nav(r, "lists"), l))
	}
}

func (s *Server) uiDeleteList(w http.ResponseWriter, r *http.Request) {
	if !s.listAction(w, r, uiListDeleteRoute) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "lists", http.StatusNotFound, "There is no such list in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	if err := s.cfg.Contacts.DeleteList(r.Context(), ss.WorkspaceID, id); err != nil {
		s.uiFail(w, r, "lists", "list", err)
		return
	}
	http.Redirect(w, r, "/ui/lists", http.StatusSeeOther)
}

// listURL is a list's page; listDeleteURL asks to confirm its deletion.
func listURL(id int64) string       { return "/ui/lists/" + strconv.FormatInt(id, 10) }
func listDeleteURL(id int64) string { return listURL(id) + "/delete" }

// listFormDescribed names the create form field's help and, when at fault, its error.
func (d uiListsData) describedBy(name string) string {
	if d.Field == name {
		return "help-" + name + " err-" + name
	}
	return "help-" + name
}
