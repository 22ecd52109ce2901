package web

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/verify"
)

// verifyData is the verification jobs page: the jobs with their progress, and the form that
// starts one for a list.
type verifyData struct {
	Nav                   uiNav
	Jobs                  []verify.JobStatus
	NextBefore            int64
	Lists                 []contact.ListWithCount
	MayStart              bool
	List, Days            string
	FieldError, Done, Err string
}

func (s *Server) uiVerify(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiVerifyJobsRoute, "verify", s.cfg.Verifier != nil) {
		return
	}
	d := verifyData{Nav: s.nav(r, "verify"), Done: r.URL.Query().Get("done"), Days: "30"}
	s.verifyPage(w, r, http.StatusOK, d)
}

// verifyPage reads the jobs page (the ?before= page) and the lists of the form, and renders it.
func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request, status int, d verifyData) {
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	js, err := s.cfg.Verifier.Jobs(ctx, ws, max(before, 0), uiVerifyJobPageSize+1)
	if err != nil {
		s.uiFail(w, r, "verify", "verification jobs", err)
		return
	}
	if len(js) > uiVerifyJobPageSize {
		js = js[:uiVerifyJobPageSize]
		d.NextBefore = js[uiVerifyJobPageSize-1].ID
	}
	d.Jobs = js
	d.MayStart = s.may(r, uiVerifyStartRoute)
	if d.MayStart && s.cfg.Contacts != nil {
		if d.Lists, err = s.cfg.Contacts.Lists(ctx, ws); err != nil {
			s.uiFail(w, r, "verify", "lists", err)
			return
		}
	}
	s.renderUI(w, r, status, verifyPage(d))
}

// uiVerifyStart starts a verification of a list's addresses (Verifier.StartJob, as
// POST /api/v1/verify/jobs with a list).
func (s *Server) uiVerifyStart(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiVerifyJobsRoute, "verify", s.cfg.Verifier != nil) {
		return
	}
	if !s.may(r, uiVerifyStartRoute) {
		s.uiRefuse(w, r, "verify")
		return
	}
	d := verifyData{Nav: s.nav(r, "verify"), List: strings.TrimSpace(r.PostFormValue("list")), Days: strings.TrimSpace(r.PostFormValue("days"))}
	days, err := strconv.Atoi(cmpOr(d.Days, "0"))
	switch {
	case d.List == "":
		d.FieldError = "Choose the list whose addresses to verify."
	case err != nil || days < 0:
		d.FieldError = "Give the number of days (0 or more) within which an address checked before is skipped."
	}
	if d.FieldError == "" {
		ss, _ := sessionOf(r.Context())
		j, err := s.cfg.Verifier.StartJob(r.Context(), ss.WorkspaceID, nil, d.List, days)
		switch {
		case errors.Is(err, errs.ErrNotFound):
			d.FieldError = "There is no list " + d.List + " in this workspace; choose one of the lists."
		case err != nil:
			s.uiFail(w, r, "verify", "verification job", err)
			return
		default:
			http.Redirect(w, r, verifyJobURL(j.ID), http.StatusSeeOther)
			return
		}
	}
	s.verifyPage(w, r, http.StatusUnprocessableEntity, d)
}

// verifyJobData is one job's progress: a page, or (for htmx) the fragment that polls until
// the job is finished.
type verifyJobData struct {
	Nav uiNav
	Job verify.JobStatus
}

func (s *Server) uiVerifyJob(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiVerifyJobsRoute, "verify", s.cfg.Verifier != nil) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "verify", http.StatusNotFound, "There is no such verification job in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	j, err := s.cfg.Verifier.JobStatus(r.Context(), ss.WorkspaceID, id)
	if err != nil {
		s.uiFail(w, r, "verify", "verification job", err)
		return
	}
	d := verifyJobData{Nav: s.nav(r, "verify"), Job: j}
	if r.Header.Get("HX-Request") == "true" {
		s.renderUI(w, r, http.StatusOK, verifyProgress(j))
		return
	}
	s.renderUI(w, r, http.StatusOK, verifyJobPage(d))
}

func verifyJobURL(id int64) string { return "/ui/verify/jobs/" + strconv.FormatInt(id, 10) }

func verifyNext(before int64) string { return "/ui/verify?before=" + strconv.FormatInt(before, 10) }

// verdictLine is a job's verdict counts in one line, by verdict.
func verdictLine(m map[string]int) string {
	ks := slices.Sorted(maps.Keys(m))
	for i, k := range ks {
		ks[i] = k + ": " + strconv.Itoa(m[k])
	}
	if len(ks) == 0 {
		return "—"
	}
	return strings.Join(ks, "; ")
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
