package web

import (
	"cmp"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
)

// The Reports section: workspace reports (audience, consent coverage, do-not-contact intake)
// read through reporting.Service, and per-campaign reports over time read through
// report.Service. Each page is a few tables; each table is downloadable as CSV from the same
// handler (?csv=ID), so the file holds exactly the rows the page shows. The do-not-contact
// intake report is gated by uiDNCRoute, as the do-not-contact page is.

// uiReportRoutes registers the Reports pages.
func (s *Server) uiReportRoutes(rt *router) {
	page := func(pattern string, h http.HandlerFunc) { rt.Handle(pattern, s.requireSession(h)) }
	page("GET /ui/reports", s.uiReports)
	page("GET /ui/reports/audience", s.uiAudienceReport)
	page("GET /ui/reports/consent", s.uiCoverageReport)
	page("GET /ui/reports/dnc", s.uiDNCReport)
	page("GET /ui/reports/campaigns/{id}", s.uiCampaignTimeReport)
}

// reportTable is one table of a report page and of its CSV download.
type reportTable struct {
	ID, Caption string
	Head        []string
	Num         []bool // right-aligned (numeric) columns
	Rows        [][]string
	Empty       string // shown instead of an empty table
}

// reportChart is an SVG chart with the table that holds its numbers.
type reportChart struct {
	SVG, TableID string
}

// reportPage is a report: a heading, a note on how fresh the figures are, charts and tables.
type reportPage struct {
	Nav    uiNav
	Title  string
	Intro  string
	Note   string
	Path   string // the page's path, for the CSV links
	Charts []reportChart
	Tables []reportTable
}

// csvURL is the CSV download of one of the page's tables.
func (p reportPage) csvURL(table string) string { return p.Path + "?csv=" + table }

// serveReport renders the page, or with ?csv=ID writes that table as CSV.
func (s *Server) serveReport(w http.ResponseWriter, r *http.Request, p reportPage) {
	id := r.URL.Query().Get("csv")
	if id == "" {
		s.renderUI(w, r, http.StatusOK, reportView(p))
		return
	}
	i := slices.IndexFunc(p.Tables, func(t reportTable) bool { return t.ID == id })
	if i < 0 {
		s.uiError(w, r, "reports", http.StatusNotFound, "This report has no table "+strconv.Quote(id)+"; use the download links on the report's page.")
		return
	}
	writeReportCSV(w, p.Tables[i])
}

// writeReportCSV writes a table as CSV; cells that a spreadsheet would read as a formula are
// neutralised (they can hold data from outside: link addresses, campaign names).
func writeReportCSV(w http.ResponseWriter, t reportTable) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+t.ID+`.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	_ = cw.Write(t.Head)
	for _, row := range t.Rows {
		out := make([]string, len(row))
		for i, c := range row {
			out[i] = contact.NeutralizeCell(c)
		}
		_ = cw.Write(out)
	}
	cw.Flush()
}

// reportIndex is the Reports section's first page: the reports the role may open.
type reportIndex struct {
	Nav                     uiNav
	Audience, Coverage, DNC bool
	Campaigns               []campaign.Campaign
	ShowCampaigns           bool
}

func (s *Server) uiReports(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiContactsRoute, "reports", s.cfg.Reporting != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	d := reportIndex{Nav: s.nav(r, "reports"), Audience: true, Coverage: true, DNC: s.may(r, uiDNCRoute)}
	if s.cfg.Campaigns != nil && s.cfg.Reports != nil && s.may(r, uiReportRoute) {
		cs, err := s.cfg.Campaigns.Campaigns(r.Context(), ss.WorkspaceID)
		if err != nil {
			s.uiFail(w, r, "reports", "campaigns", err)
			return
		}
		slices.SortFunc(cs, func(a, b campaign.Campaign) int { return cmp.Compare(b.ID, a.ID) })
		d.Campaigns, d.ShowCampaigns = cs, true
	}
	s.renderUI(w, r, http.StatusOK, reportIndexPage(d))
}

// countedNote says how fresh counted figures are.
func countedNote(at time.Time, since int64, partial bool, what string) string {
	if at.IsZero() {
		return "Not counted in the background yet: these figures were read just now."
	}
	n := "Counted at " + when(at) + " (every 5 minutes)"
	if since > 0 {
		n += ", plus " + strconv.FormatInt(since, 10) + " " + what + " added since"
	}
	if partial {
		n += "; more " + what + " arrived since the count than a page reads: they appear after the next count"
	}
	return n + "."
}

// reportDay formats a day.
func reportDay(t time.Time) string { return t.UTC().Format(time.DateOnly) }
