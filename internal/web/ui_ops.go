package web

import (
	"net/http"
	"net/url"
	"strconv"
)

// The operations pages of the admin UI (do-not-contact, bounces and replies, verification
// jobs, the audit trail, the job queue). Each reads through the service of the API route named
// here and is opened by the roles that route allows; each form calls the service method of the
// API route that changes the same thing, so the rules and the audit entry are the same.
const (
	uiDNCRoute          = "GET /api/v1/suppressions"
	uiDNCRemoveRoute    = "DELETE /api/v1/suppressions/{id}"
	uiCheckRoute        = "GET /api/v1/check"
	uiAgentRoute        = "POST /api/v1/agent/dnc"
	uiBounceRoute       = "GET /api/v1/bounce/events"
	uiReviewsRoute      = "GET /api/v1/bounce/reviews"
	uiDecideRoute       = "POST /api/v1/bounce/reviews/{id}"
	uiVerifyJobsRoute   = "GET /api/v1/verify/jobs"
	uiVerifyStartRoute  = "POST /api/v1/verify/jobs"
	uiAuditRoute        = "GET /api/v1/audit"
	uiJobsRoute         = "GET /api/v1/jobs"
	uiJobRetryRoute     = "POST /api/v1/jobs/{id}/retry"
	uiJobCancelRoute    = "POST /api/v1/jobs/{id}/cancel"
	uiJobRunRoute       = "POST /api/v1/jobs/run"
	uiOpsPageSize       = 50
	uiVerifyJobPageSize = 20
)

// uiOpsRoutes registers the operations pages.
func (s *Server) uiOpsRoutes(rt *router) {
	page := func(pattern string, h http.HandlerFunc) { rt.Handle(pattern, s.requireSession(h)) }
	page("GET /ui/dnc", s.uiDNC)
	page("POST /ui/dnc/{id}/remove", s.uiDNCRemove)
	page("GET /ui/dnc/request", s.uiStopRequest)
	page("POST /ui/dnc/request", s.uiStopRequestPost)
	page("GET /ui/bounces", s.uiBounces)
	page("POST /ui/bounces/reviews/{id}", s.uiDecide)
	page("GET /ui/verify", s.uiVerify)
	page("POST /ui/verify", s.uiVerifyStart)
	page("GET /ui/verify/jobs/{id}", s.uiVerifyJob)
	page("GET /ui/audit", s.uiAudit)
	page("GET /ui/jobs", s.uiJobs)
	page("POST /ui/jobs/{id}/{op}", s.uiJobOp)
	page("POST /ui/jobs/run", s.uiJobRun)
}

// uiRefuse answers a form the role may not send with 403 (its page does not show it).
func (s *Server) uiRefuse(w http.ResponseWriter, r *http.Request, section string) {
	ss, _ := sessionOf(r.Context())
	s.uiError(w, r, section, http.StatusForbidden, "Your role ("+ss.Role+") may not do this; ask an owner for another role.")
}

// seeOther redirects to a page after a successful form (303), with a message to show.
func seeOther(w http.ResponseWriter, r *http.Request, path string, q url.Values) {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
}

// formID reads a positive id from the path value name.
func formID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// pageURL is path with the query q (the filters kept) and one value set.
func pageURL(path string, q url.Values, key, value string) string {
	c := url.Values{}
	for k, v := range q {
		c[k] = v
	}
	c.Set(key, value)
	return path + "?" + c.Encode()
}
