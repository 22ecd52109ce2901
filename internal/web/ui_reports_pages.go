package web

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/clearlist/clearlist/internal/reporting"
)

func (s *Server) uiAudienceReport(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiContactsRoute, "reports", s.cfg.Reporting != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	a, err := s.cfg.Reporting.Audience(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "reports", "audience report", err)
		return
	}
	p := audienceReport(a)
	p.Nav = s.nav(r, "reports")
	s.serveReport(w, r, p)
}

// audienceReport lays out the audience report.
func audienceReport(a reporting.Audience) reportPage {
	p := reportPage{Title: "Audience growth", Path: "/ui/reports/audience",
		Intro: "Contacts per status, and new contacts per week and per day (UTC).",
		Note:  countedNote(a.CountedAt, a.Since, a.Partial, "contacts")}
	status := reportTable{ID: "status", Caption: "Contacts by status", Head: []string{"Status", "Contacts"}, Num: []bool{false, true}}
	for _, c := range a.Statuses {
		status.Rows = append(status.Rows, []string{c.Status, itoa(c.Count)})
	}
	status.Rows = append(status.Rows, []string{"total", itoa(a.Total)})
	weeks := periodTable("weeks", "New contacts per week", "Week starting", a.Weeks)
	days := periodTable("days", "New contacts per day", "Day", a.Days)
	p.Tables = []reportTable{status, weeks, days}
	p.Charts = []reportChart{
		{SVG: barChart("Contacts by status", statusBars(a.Statuses)), TableID: "status"},
		{SVG: barChart("New contacts per week", periodBars(a.Weeks)), TableID: "weeks"},
	}
	return p
}

func periodTable(id, caption, first string, ps []reporting.PeriodCount) reportTable {
	t := reportTable{ID: id, Caption: caption, Head: []string{first, "New contacts"}, Num: []bool{false, true}}
	for _, c := range ps {
		t.Rows = append(t.Rows, []string{reportDay(c.Start), itoa(c.Count)})
	}
	return t
}

func periodBars(ps []reporting.PeriodCount) []bar {
	out := make([]bar, len(ps))
	for i, c := range ps {
		out[i] = bar{Label: reportDay(c.Start), Value: c.Count}
	}
	return out
}

func statusBars(cs []reporting.StatusCount) []bar {
	out := make([]bar, len(cs))
	for i, c := range cs {
		out[i] = bar{Label: c.Status, Value: c.Count}
	}
	return out
}

func (s *Server) uiCoverageReport(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiContactsRoute, "reports", s.cfg.Reporting != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	c, err := s.cfg.Reporting.Coverage(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "reports", "consent coverage report", err)
		return
	}
	p := coverageReport(c)
	p.Nav = s.nav(r, "reports")
	s.serveReport(w, r, p)
}

// coverageReport lays out the consent coverage report.
func coverageReport(c reporting.Coverage) reportPage {
	p := reportPage{Title: "Consent coverage", Path: "/ui/reports/consent",
		Intro: "Contacts by the type of the source that brought them and by jurisdiction (from the contact's country), " +
			"and how many hold a consent in force (the latest ledger entry of a purpose and channel granted or confirmed)."}
	if c.CountedAt.IsZero() {
		p.Note = "Not counted yet: the report_counts job counts coverage every 5 minutes (and when the server starts)."
	} else {
		p.Note = "Counted at " + when(c.CountedAt) + " (every 5 minutes)."
	}
	t := reportTable{ID: "coverage", Caption: "Consent coverage by source type and jurisdiction",
		Head: []string{"Source type", "Jurisdiction", "Rule", "Contacts", "With consent in force", "Share"},
		Num:  []bool{false, false, false, true, true, true}, Empty: "No contacts counted yet."}
	bars := make([]bar, 0, len(c.Rows))
	for _, row := range c.Rows {
		t.Rows = append(t.Rows, []string{orDash(row.SourceType), row.JurisdictionName, row.Jurisdiction, itoa(row.Contacts), itoa(row.Covered),
			percent(row.Share())})
		bars = append(bars, bar{Label: orDash(row.SourceType) + " · " + row.JurisdictionName, Value: row.Covered})
	}
	p.Tables = []reportTable{t}
	if len(bars) > 0 {
		p.Charts = []reportChart{{SVG: barChart("Contacts with consent in force, by source type and jurisdiction", bars), TableID: "coverage"}}
	}
	return p
}

func (s *Server) uiDNCReport(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiDNCRoute, "reports", s.cfg.Reporting != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	d, err := s.cfg.Reporting.DNC(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "reports", "do-not-contact report", err)
		return
	}
	p := dncReport(d)
	p.Nav = s.nav(r, "reports")
	s.serveReport(w, r, p)
}

// dncReport lays out the do-not-contact intake report.
func dncReport(d reporting.DNC) reportPage {
	p := reportPage{Title: "Do-not-contact intake and deadlines", Path: "/ui/reports/dnc",
		Intro: "Do-not-contact entries received per week (UTC) and those recorded after their deadline.",
		Note: strconv.FormatInt(d.Received, 10) + " entries received in the last " + strconv.Itoa(reporting.DNCWeeks) +
			" weeks, " + strconv.FormatInt(d.LateCount, 10) + " of them recorded late. " + countedNote(d.CountedAt, d.Since, d.Partial, "entries")}
	weeks := reportTable{ID: "weeks", Caption: "Entries received per week", Head: []string{"Week starting", "Received", "Recorded late"},
		Num: []bool{false, true, true}}
	bars := make([]bar, len(d.Weeks))
	for i, wk := range d.Weeks {
		weeks.Rows = append(weeks.Rows, []string{reportDay(wk.Start), itoa(wk.Received), itoa(wk.Late)})
		bars[i] = bar{Label: reportDay(wk.Start), Value: wk.Received}
	}
	late := reportTable{ID: "late", Caption: "Latest entries recorded after their deadline",
		Head:  []string{"Entry", "Kind", "Reason", "Received through", "Received", "Deadline", "Recorded", "Late by"},
		Num:   []bool{true, false, false, false, false, false, false, true},
		Empty: "No entry in the window was recorded late."}
	for _, f := range d.Late {
		late.Rows = append(late.Rows, []string{itoa(f.ID), f.Kind, f.Reason, orDash(f.ChannelIn), when(f.ReceivedAt), when(f.Deadline),
			when(f.RecordedAt), lateBy(f.Lateness())})
	}
	p.Tables = []reportTable{weeks, late}
	p.Charts = []reportChart{{SVG: barChart("Do-not-contact entries received per week", bars), TableID: "weeks"}}
	return p
}

func (s *Server) uiCampaignTimeReport(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiReportRoute, "reports", s.cfg.Reports != nil) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "reports", http.StatusNotFound, "There is no such campaign in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	sum, err := s.cfg.Reports.Summary(ctx, ws, id)
	if err != nil {
		s.uiFail(w, r, "reports", "campaign", err)
		return
	}
	hours, err := s.cfg.Reports.Hours(ctx, ws, id)
	if err != nil {
		s.uiFail(w, r, "reports", "campaign's hours", err)
		return
	}
	links, err := s.cfg.Reports.Links(ctx, ws, id)
	if err != nil {
		s.uiFail(w, r, "reports", "campaign's links", err)
		return
	}
	p := reportPage{Nav: s.nav(r, "reports"), Title: "Campaign over time: " + sum.Name, Path: "/ui/reports/campaigns/" + strconv.FormatInt(id, 10),
		Intro: "What happened to the campaign's messages per hour (UTC; machines' opens and clicks left out), and people's clicks per link.",
		Note:  "Read just now."}
	ht := reportTable{ID: "hours", Caption: "Per hour", Head: []string{"Hour", "Sent", "Failed", "Bounced", "Complained", "Unsubscribed", "Opened", "Clicked"},
		Num: []bool{false, true, true, true, true, true, true, true}, Empty: "Nothing sent yet."}
	hb := make([]bar, len(hours))
	for i, h := range hours {
		ht.Rows = append(ht.Rows, []string{h.Hour.UTC().Format("2006-01-02 15:00"), strconv.Itoa(h.Sent), strconv.Itoa(h.Failed), strconv.Itoa(h.Bounced),
			strconv.Itoa(h.Complained), strconv.Itoa(h.Unsubscribed), strconv.Itoa(h.Opened), strconv.Itoa(h.Clicked)})
		hb[i] = bar{Label: h.Hour.UTC().Format("01-02 15:00"), Value: int64(h.Sent)}
	}
	lt := reportTable{ID: "links", Caption: "Clicks per link", Head: []string{"Link", "Clicks", "People"}, Num: []bool{false, true, true},
		Empty: "No clicks recorded (or the campaign does not track links)."}
	lb := make([]bar, len(links))
	for i, l := range links {
		lt.Rows = append(lt.Rows, []string{l.URL, itoa(l.Clicks), itoa(l.People)})
		lb[i] = bar{Label: l.URL, Value: l.Clicks}
	}
	p.Tables = []reportTable{ht, lt}
	if len(hb) > 0 {
		p.Charts = append(p.Charts, reportChart{SVG: barChart("Messages sent per hour", hb), TableID: "hours"})
	}
	if len(lb) > 0 {
		p.Charts = append(p.Charts, reportChart{SVG: barChart("Clicks per link", lb), TableID: "links"})
	}
	s.serveReport(w, r, p)
}

// lateBy formats how late an entry was recorded: days and hours, or hours and minutes.
func lateBy(d time.Duration) string {
	if d >= 24*time.Hour {
		return fmt.Sprintf("%d d %d h", d/(24*time.Hour), d%(24*time.Hour)/time.Hour)
	}
	return fmt.Sprintf("%d h %d min", d/time.Hour, d%time.Hour/time.Minute)
}
