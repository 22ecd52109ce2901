package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/suppress"
)

// dncData is a page of the do-not-contact list, or the entries of one identifier searched for.
type dncData struct {
	Nav                   uiNav
	Query                 url.Values // the filters, kept in the page links
	Search, Reason        string
	Late, Removed         bool
	Error, Done           string
	Entries               []suppress.Suppression
	NextCursor            string
	MayRemove, MayOverrul bool // the role may remove entries; also those a person asked for
}

// mayRemove reports whether the role may remove this entry (the service checks it again).
func (d dncData) mayRemove(e suppress.Suppression) bool {
	if !d.MayRemove || e.RemovedAt != nil {
		return false
	}
	return d.MayOverrul || !suppress.Reason(e.Reason).PersonOriginated()
}

func (s *Server) uiDNC(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiDNCRoute, "dnc", s.cfg.Suppressions != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	q := r.URL.Query()
	d := dncData{Nav: s.nav(r, "dnc"), Query: url.Values{}, Search: strings.TrimSpace(q.Get("q")), Reason: q.Get("reason"),
		Late: q.Get("late") == "1", Removed: q.Get("removed") == "1", Done: q.Get("done"),
		MayRemove: s.may(r, uiDNCRemoveRoute), MayOverrul: access.MayOverrulePerson(ss.Role)}
	for _, k := range []string{"reason", "late", "removed"} {
		if v := q.Get(k); v != "" {
			d.Query.Set(k, v)
		}
	}
	ctx, ws := r.Context(), ss.WorkspaceID
	if d.Search != "" {
		entries, err := s.cfg.Suppressions.SuppressionsFor(ctx, ws, "", d.Search)
		switch {
		case errors.Is(err, suppress.ErrInvalid):
			d.Error = "Give an e-mail address, a domain or a phone number (with +country code): " + err.Error()
		case err != nil:
			s.uiFail(w, r, "dnc", "do-not-contact entries", err)
			return
		case len(entries) == 0:
			d.Done = d.Search + " is on no do-not-contact list of this workspace."
		}
		d.Entries = suppress.ForRole(apiRole(ss.Role), entries)
		s.renderUI(w, r, http.StatusOK, dncPage(d))
		return
	}
	after, err := decodeCursor(q.Get("cursor"))
	if err != nil {
		d.Error = "That page link is out of date; start again from the first page."
		s.renderUI(w, r, http.StatusBadRequest, dncPage(d))
		return
	}
	list, err := s.cfg.Suppressions.Entries(ctx, ws, suppress.Filter{Reason: d.Reason, LateOnly: d.Late,
		IncludeRemoved: d.Removed, AfterID: after, Limit: uiOpsPageSize + 1})
	if err != nil {
		s.uiFail(w, r, "dnc", "do-not-contact entries", err)
		return
	}
	if len(list) > uiOpsPageSize {
		list = list[:uiOpsPageSize]
		d.NextCursor = encodeCursor(list[uiOpsPageSize-1].ID)
	}
	d.Entries = suppress.ForRole(apiRole(ss.Role), list)
	s.renderUI(w, r, http.StatusOK, dncPage(d))
}

// uiDNCRemove takes an entry off the list with a reason (Suppressions.Unsuppress, as
// DELETE /api/v1/suppressions/{id}); a person's own request only for compliance and admins.
func (s *Server) uiDNCRemove(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiDNCRoute, "dnc", s.cfg.Suppressions != nil) {
		return
	}
	if !s.may(r, uiDNCRemoveRoute) {
		s.uiRefuse(w, r, "dnc")
		return
	}
	id, ok := formID(r, "id")
	if !ok {
		s.uiError(w, r, "dnc", http.StatusNotFound, "There is no such entry in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	_, err := s.cfg.Suppressions.Unsuppress(r.Context(), ss.WorkspaceID, id, ss.Email, r.PostFormValue("why"), apiRole(ss.Role))
	switch {
	case errors.Is(err, suppress.ErrProtected):
		s.uiError(w, r, "dnc", http.StatusForbidden, "The person asked for this entry themselves; only a compliance user or an admin may lift it.")
	case errors.Is(err, suppress.ErrInvalid):
		s.uiError(w, r, "dnc", http.StatusUnprocessableEntity, "Say why the entry is removed (it is kept in the audit trail); go back and fill in the reason.")
	case errors.Is(err, errs.ErrNotFound):
		s.uiError(w, r, "dnc", http.StatusNotFound, "There is no such active entry in this workspace; it may have been removed already.")
	case err != nil:
		s.uiFail(w, r, "dnc", "do-not-contact entry", err)
	default:
		seeOther(w, r, "/ui/dnc", url.Values{"done": {"Entry removed; the audit trail records who and why."}})
	}
}
