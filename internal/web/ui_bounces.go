package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/errs"
)

// bouncesData is a page of delivery events (bounces, complaints, replies) and, for the roles
// that decide them, the replies waiting for a person.
type bouncesData struct {
	Nav         uiNav
	Events      []bounce.Stored
	NextBefore  int64 // the id to continue before; 0 on the last page
	Reviews     []bounce.Review
	ShowReviews bool // the role may read the review queue
	MayDecide   bool
	Done, Error string
}

func (s *Server) uiBounces(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiBounceRoute, "bounces", s.cfg.Bounces != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	d := bouncesData{Nav: s.nav(r, "bounces"), Done: r.URL.Query().Get("done"), MayDecide: s.may(r, uiDecideRoute)}
	before, err := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	if r.URL.Query().Get("before") != "" && (err != nil || before <= 0) {
		d.Error = "That page link is out of date; start again from the first page."
		s.renderUI(w, r, http.StatusBadRequest, bouncesPage(d))
		return
	}
	evs, err := s.cfg.Bounces.Events(ctx, ws, bounce.EventFilter{Before: before, Limit: uiOpsPageSize + 1})
	if err != nil {
		s.uiFail(w, r, "bounces", "delivery events", err)
		return
	}
	if len(evs) > uiOpsPageSize {
		evs = evs[:uiOpsPageSize]
		d.NextBefore = evs[uiOpsPageSize-1].ID
	}
	d.Events = evs
	if s.may(r, uiReviewsRoute) && before == 0 {
		if d.Reviews, err = s.cfg.Bounces.Reviews(ctx, ws, false); err != nil {
			s.uiFail(w, r, "bounces", "replies to review", err)
			return
		}
		d.ShowReviews = true
	}
	s.renderUI(w, r, http.StatusOK, bouncesPage(d))
}

// uiDecide decides a queued reply (Bounces.Decide, as POST /api/v1/bounce/reviews/{id}).
func (s *Server) uiDecide(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiBounceRoute, "bounces", s.cfg.Bounces != nil) {
		return
	}
	if !s.may(r, uiDecideRoute) {
		s.uiRefuse(w, r, "bounces")
		return
	}
	id, ok := formID(r, "id")
	decision := r.PostFormValue("decision")
	if !ok || (decision != "stop" && decision != "dismiss") {
		s.uiError(w, r, "bounces", http.StatusBadRequest, "Choose “stop” or “not a stop request” on the reply; go back and try again.")
		return
	}
	ss, _ := sessionOf(r.Context())
	rv, err := s.cfg.Bounces.Decide(r.Context(), ss.WorkspaceID, id, decision == "stop", ss.Email)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		s.uiError(w, r, "bounces", http.StatusNotFound, "There is no such reply in this workspace.")
	case errors.Is(err, bounce.ErrDecided):
		s.uiError(w, r, "bounces", http.StatusConflict, "Someone has decided this reply already; reload the page to see the queue.")
	case err != nil:
		s.uiFail(w, r, "bounces", "reply", err)
	default:
		msg := "Reply from " + rv.Address + ": not a stop request."
		if rv.State == bounce.ReviewStopped {
			msg = "Reply from " + rv.Address + ": the address is on the do-not-contact list."
		}
		seeOther(w, r, "/ui/bounces", url.Values{"done": {msg}})
	}
}

// bouncesNext is the next page of events.
func bouncesNext(before int64) string { return "/ui/bounces?before=" + strconv.FormatInt(before, 10) }
