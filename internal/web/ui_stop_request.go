package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/suppress"
)

// stopData is the form an agent fills in when a person asks to be contacted no more.
type stopData struct {
	Nav                                  uiNav
	Value, How, Scope, Note, Country, At string
	Errors                               map[string]string // by field
	Done                                 string
	Added                                []suppress.Suppression
	Check                                *suppress.CheckAnswer // the answer of a check, when asked
	MayRecord                            bool
}

// stopHows label the ways a person asks (suppress.AgentHows), for the form.
var stopHows = []struct{ Key, Label string }{
	{"phone", "On a phone call"}, {"email", "By e-mail"}, {"sms", "By text message"},
	{"letter", "By letter"}, {"in-person", "In person"},
}

// stopScopes are the channels a request can cover.
var stopScopes = []struct{ Key, Label string }{
	{"all", "Every channel (contact this person no more)"}, {"email", "E-mail only"},
	{"phone", "Phone calls only"}, {"sms", "Text messages only"},
}

func (s *Server) uiStopRequest(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiCheckRoute, "stop-request", s.cfg.Suppressions != nil) {
		return
	}
	q := r.URL.Query()
	d := stopData{Nav: s.nav(r, "stop-request"), How: "phone", Scope: "all", Errors: map[string]string{}, Done: q.Get("done"),
		MayRecord: s.may(r, uiAgentRoute)}
	if v := strings.TrimSpace(q.Get("check")); v != "" {
		ss, _ := sessionOf(r.Context())
		d.Value = v
		ans, err := s.cfg.Suppressions.CheckSuppressed(r.Context(), ss.WorkspaceID, "", v, "", "")
		switch {
		case errors.Is(err, suppress.ErrInvalid):
			d.Errors["value"] = "Give an e-mail address or a phone number with its country code (+49…): " + err.Error()
		case err != nil:
			s.uiFail(w, r, "stop-request", "do-not-contact check", err)
			return
		default:
			d.Check = &ans
		}
	}
	s.renderUI(w, r, http.StatusOK, stopRequestPage(d))
}

// uiStopRequestPost records a person's stop request (Suppressions.Suppress, the method
// POST /api/v1/agent/dnc calls), with the signed-in user as the recorder.
func (s *Server) uiStopRequestPost(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiCheckRoute, "stop-request", s.cfg.Suppressions != nil) {
		return
	}
	if !s.may(r, uiAgentRoute) {
		s.uiRefuse(w, r, "stop-request")
		return
	}
	ss, _ := sessionOf(r.Context())
	d := stopData{Nav: s.nav(r, "stop-request"), Value: strings.TrimSpace(r.PostFormValue("value")), How: r.PostFormValue("how"),
		Scope: r.PostFormValue("scope"), Note: strings.TrimSpace(r.PostFormValue("note")),
		Country: strings.ToUpper(strings.TrimSpace(r.PostFormValue("country"))), At: r.PostFormValue("received_at"),
		Errors: map[string]string{}, MayRecord: true}
	if !slices.ContainsFunc(stopHows, func(h struct{ Key, Label string }) bool { return h.Key == d.How }) {
		d.Errors["how"] = "Choose how the person asked."
	}
	if d.Value == "" {
		d.Errors["value"] = "Give the person's e-mail address or phone number."
	}
	var at time.Time
	if d.At != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", d.At, time.UTC)
		if err != nil {
			d.Errors["received_at"] = "Give the date and time the person asked (UTC), or leave it empty for now."
		}
		at = t
	}
	in, err := suppress.AgentRequest{Value: d.Value, How: d.How, Scope: d.Scope, By: ss.Email, Note: d.Note, Country: d.Country,
		ReceivedAt: at}.Intake()
	if err != nil && len(d.Errors) == 0 {
		d.Errors["value"] = strings.TrimPrefix(err.Error(), suppress.ErrInvalid.Error()+": ")
	}
	if len(d.Errors) == 0 {
		added, dups, err := s.cfg.Suppressions.Suppress(r.Context(), ss.WorkspaceID, []suppress.Intake{in})
		switch {
		case errors.Is(err, suppress.ErrInvalid):
			d.Errors["value"] = "This could not be recorded: " + strings.TrimPrefix(err.Error(), suppress.ErrInvalid.Error()+": ") +
				". Check the address or number (phone numbers with +country code) and the channel."
		case err != nil:
			s.uiFail(w, r, "stop-request", "stop request", err)
			return
		default:
			msg := "Recorded: " + d.Value + " is on the do-not-contact list."
			if dups > 0 && len(added) == 0 {
				msg = d.Value + " was already on the do-not-contact list for this; nothing new was recorded."
			}
			seeOther(w, r, "/ui/dnc/request", url.Values{"done": {msg}})
			return
		}
	}
	s.renderUI(w, r, http.StatusUnprocessableEntity, stopRequestPage(d))
}
