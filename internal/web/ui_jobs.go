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
	d := jobsData{Nav: s.nav(r, "jobs"), State: r.URL.Query().Get("state"), States: jobs.States, Kinds: jobs.Kinds,
		Done: r.URL.Query().Get("done"), MayRetry: s.mayChange(r, uiJobRetryRoute), MayCancel: s.mayChange(r, uiJobCancelRoute),
		MayRun: s.mayChange(r, uiJobRunRoute)}
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
	case op == "retry" && !s.mayChange(r, uiJobRetryRoute), op == "cancel" && !s.mayChange(r, uiJobCancelRoute):
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
	if !s.mayChange(r, uiJobRunRoute) {
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

// jobRetryable and jobCancellable say which buttons a job gets.
func jobRetryable(j jobs.Job) bool { return j.State != "running" }
func jobCancellable(j jobs.Job) bool {
	return j.State != "completed" && j.State != "cancelled" && j.State != "discarded"
}
