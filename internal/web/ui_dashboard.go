package web

import (
	"cmp"
	"net/http"
	"slices"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/reporting"
)

// dashboardReports are the dashboard's report panels: each nil (or false) when the role may
// not read it or the server lacks the service.
type dashboardReports struct {
	Audience *reporting.Audience
	DNC      *reporting.DNC
	Jobs     []jobs.Job // retryable and discarded jobs, newest first
	ShowJobs bool
}

// dashboardJobsShown is how many jobs needing attention the dashboard lists.
const dashboardJobsShown = 10

// dashboardReports reads the report panels: the audience (from the background count plus
// the contacts since), the do-not-contact intake of the last weeks (by index), and the jobs
// that failed or wait for a retry (River's own index on state). None counts the contacts.
func (s *Server) dashboardReports(r *http.Request) (dashboardReports, string, error) {
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	var d dashboardReports
	if s.cfg.Reporting != nil && s.may(r, uiContactsRoute) {
		a, err := s.cfg.Reporting.Audience(ctx, ws)
		if err != nil {
			return d, "audience", err
		}
		d.Audience = &a
	}
	if s.cfg.Reporting != nil && s.may(r, uiDNCRoute) {
		n, err := s.cfg.Reporting.DNC(ctx, ws)
		if err != nil {
			return d, "do-not-contact intake", err
		}
		d.DNC = &n
	}
	if s.cfg.Jobs != nil && s.may(r, uiJobsRoute) {
		d.ShowJobs = true
		for _, state := range []string{"retryable", "discarded"} {
			js, err := s.cfg.Jobs.List(ctx, jobs.Filter{State: state, Limit: dashboardJobsShown})
			if err != nil {
				return d, "jobs", err
			}
			d.Jobs = append(d.Jobs, js...)
		}
		slices.SortFunc(d.Jobs, func(a, b jobs.Job) int { return cmp.Compare(b.ID, a.ID) })
		d.Jobs = d.Jobs[:min(len(d.Jobs), dashboardJobsShown)]
	}
	return d, "", nil
}

// lastWeeks are the last n weeks of a report's weeks.
func lastWeeks[T any](ws []T, n int) []T { return ws[max(0, len(ws)-n):] }

// lastError is a job's latest error, shortened.
func lastError(j jobs.Job) string {
	if len(j.Errors) == 0 {
		return "—"
	}
	e := []rune(j.Errors[len(j.Errors)-1])
	if len(e) > 160 {
		return string(e[:159]) + "…"
	}
	return string(e)
}

// dashboardLists reads the lists with their member counts: from the report count when the
// server has it (counting a million memberships on each view is what it avoids), else live.
func (s *Server) dashboardLists(r *http.Request, d *dashboardData) ([]contact.ListWithCount, error) {
	ss, _ := sessionOf(r.Context())
	if s.cfg.Reporting == nil {
		return s.cfg.Contacts.Lists(r.Context(), ss.WorkspaceID)
	}
	ls, err := s.cfg.Reporting.Lists(r.Context(), ss.WorkspaceID)
	if !ls.CountedAt.IsZero() {
		d.ListsNote = "Members counted at " + when(ls.CountedAt) + " (every 5 minutes)."
	}
	return ls.Lists, err
}
