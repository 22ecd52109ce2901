package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/clearlist/clearlist/internal/jobs"
)

// jobsData is the job queue: the latest jobs (of one state), their errors, and the buttons
// of the roles that may retry, cancel or queue them.
type jobsData struct {
	Nav         uiNav
	WorkspaceID int64 // the session's: another workspace's jobs get no buttons
	State       string
	States      []string
	Kinds       []string
	Jobs        []jobs.Job
	MayRetry    bool
	MayCancel   bool
	MayRun      bool
	Done, Error string
}

// uiJobsShown is how many of the latest jobs the page lists.
const uiJobsShown = 100

func (s *Server) uiJobs(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiJobsRoute, "jobs", s.cfg.Jobs != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	d := jobsData{Nav: s.nav(r, "jobs"), WorkspaceID: ss.WorkspaceID, State: r.URL.Query().Get("state"), States: jobs.States, Kinds: jobs.Kinds,
		Done: r.URL.Query().Get("done"), MayRetry: s.may(r, uiJobRetryRoute), MayCancel: s.may(r, uiJobCancelRoute),
		MayRun: s.may(r, uiJobRunRoute)}
	if d.State != "" && !slices.Contains(jobs.States, d.State) {
		d.Error = "There is no job state " + d.State + "; choose one from the list."
		s.renderUI(w, r, http.StatusBadRequest, jobsPage(d))
		return
	}
	js, err := s.cfg.Jobs.List(r.Context(), jobs.Filter{State: d.State, Limit: uiJobsShown})
	if err != nil {
		s.uiFail(w, r, "jobs", "jobs", err)
		return
	}
	d.Jobs = js
	s.renderUI(w, r, http.StatusOK, jobsPage(d))
}

// uiJobOp retries or cancels a job (Jobs.Retry or Jobs.Cancel, as POST /api/v1/jobs/{id}/…).
func (s *Server) uiJobOp(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiJobsRoute, "jobs", s.cfg.Jobs != nil) {
		return
	}
	id, ok := formID(r, "id")
	op := r.PathValue("op")
	ss, _ := sessionOf(r.Context())
	var j jobs.Job
	var err error
	switch {
	case !ok || (op != "retry" && op != "cancel"):
		s.uiError(w, r, "jobs", http.StatusNotFound, "There is no such job action.")
		return
	case op == "retry" && !s.may(r, uiJobRetryRoute), op == "cancel" && !s.may(r, uiJobCancelRoute):
		s.uiRefuse(w, r, "jobs")
		return
	case op == "retry":
		j, err = s.cfg.Jobs.Retry(r.Context(), ss.WorkspaceID, id)
	default:
		j, err = s.cfg.Jobs.Cancel(r.Context(), ss.WorkspaceID, id)
	}
	s.jobDone(w, r, j, err)
}

// uiJobRun queues a one-off run of a periodic job (Jobs.RunNow, as POST /api/v1/jobs/run).
func (s *Server) uiJobRun(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiJobsRoute, "jobs", s.cfg.Jobs != nil) {
		return
	}
	if !s.may(r, uiJobRunRoute) {
		s.uiRefuse(w, r, "jobs")
		return
	}
	kind := r.PostFormValue("kind")
	if !slices.Contains(jobs.Kinds, kind) {
		s.uiError(w, r, "jobs", http.StatusBadRequest, "Choose one of the periodic jobs to run; go back and try again.")
		return
	}
	ss, _ := sessionOf(r.Context())
	j, err := s.cfg.Jobs.RunNow(r.Context(), ss.WorkspaceID, kind)
	s.jobDone(w, r, j, err)
}

func (s *Server) jobDone(w http.ResponseWriter, r *http.Request, j jobs.Job, err error) {
	switch {
	case errors.Is(err, jobs.ErrNotFound):
		s.uiError(w, r, "jobs", http.StatusNotFound, "There is no such job; it may have been removed after it finished.")
	case err != nil:
		s.uiFail(w, r, "jobs", "job", err)
	default:
		seeOther(w, r, "/ui/jobs", url.Values{"done": {"Job " + strconv.FormatInt(j.ID, 10) + " (" + j.Kind + ") is now " + j.State + "."}})
	}
}

// jobOurs reports whether the job is the instance's or the session's workspace's (the others'
// get no buttons: Jobs.Retry and Jobs.Cancel refuse them).
func (d jobsData) jobOurs(j jobs.Job) bool {
	w := jobs.WorkspaceOf(j)
	return w == 0 || w == d.WorkspaceID
}

// jobRetryable and jobCancellable say which buttons a job gets.
func (d jobsData) jobRetryable(j jobs.Job) bool {
	return d.MayRetry && d.jobOurs(j) && j.State != "running"
}
func (d jobsData) jobCancellable(j jobs.Job) bool {
	return d.MayCancel && d.jobOurs(j) && j.State != "completed" && j.State != "cancelled" && j.State != "discarded"
}
