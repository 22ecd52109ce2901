package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/report"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/user"
)

// The admin UI's pages read through the same services as the API, and each page is opened
// only by the roles the route table allows on the API route whose data it shows.
const (
	uiContactsRoute  = "GET /api/v1/contacts"
	uiContactRoute   = "GET /api/v1/contacts/{id}"
	uiCampaignsRoute = "GET /api/v1/campaigns"
	uiReportRoute    = "GET /api/v1/campaigns/{id}/report"
	uiListsRoute     = "GET /api/v1/lists"
)

// uiPageSize is the number of contacts on a page of the contact listing.
const uiPageSize = 50

// uiRecentCampaigns is how many campaigns the dashboard shows (each costs a report summary).
const uiRecentCampaigns = 5

// uiPageRoutes registers the admin UI's pages beyond the dashboard.
func (s *Server) uiPageRoutes(rt *router) {
	page := func(pattern string, h http.HandlerFunc) { rt.Handle(pattern, s.requireSession(h)) }
	page("GET /ui/contacts", s.uiContacts)
	page("GET /ui/contacts/{id}", s.uiContact)
	page("GET /ui/campaigns", s.uiCampaigns)
	page("GET /ui/campaigns/{id}", s.uiCampaign)
	s.uiImportRoutes(rt)
	s.uiListRoutes(rt)
	s.uiAdminRoutes(page)
	s.uiCampaignRoutes(page)
	s.uiOpsRoutes(rt)
	s.uiReportRoutes(rt)
}

// uiNav is what the shared layout needs: who is signed in, the form token of the forms (and
// of htmx requests), and the sections the role may open.
type uiNav struct {
	Email, Role, Workspace, CSRF string
	Sections                     []uiNavItem // the sections the role may open, in menu order
	Current                      string      // the section shown (a uiSection's Key)
}

// uiNavItem is one entry of the main menu.
type uiNavItem struct{ Key, Href, Label string }

// uiSection is a section of the admin UI: its menu entry, the API route (GET) whose roles
// may open it, and whether this server has the service behind it.
type uiSection struct {
	Key, Href, Label, Route string
	Available               func(*Server) bool
	// Roles, when set, opens a section that has no API route (one's own account) to these
	// token roles (as access.Allows maps user roles onto them) instead of Route's.
	Roles []string
}

// uiSections is the main menu, in order: the audience, outreach, do-not-contact and hygiene,
// compliance, operations, then the settings. A section appears only when the server has its
// service and the session's role may call its route; its pages check the same (uiGate).
var uiSections = []uiSection{
	{Key: "contacts", Href: "/ui/contacts", Label: "Contacts", Route: uiContactsRoute,
		Available: func(s *Server) bool { return s.cfg.Contacts != nil }},
	{Key: "lists", Href: "/ui/lists", Label: "Lists", Route: uiListsRoute,
		Available: func(s *Server) bool { return s.cfg.Contacts != nil }},
	{Key: "imports", Href: "/ui/imports", Label: "Imports", Route: uiImportRoute,
		Available: func(s *Server) bool { _, ok := s.uiImports(); return ok }},
	{Key: "campaigns", Href: "/ui/campaigns", Label: "Campaigns", Route: uiCampaignsRoute,
		Available: func(s *Server) bool { return s.cfg.Campaigns != nil }},
	{Key: "templates", Href: "/ui/templates", Label: "Templates", Route: uiTemplatesRoute,
		Available: func(s *Server) bool { return s.cfg.Campaigns != nil }},
	{Key: "reports", Href: "/ui/reports", Label: "Reports", Route: uiContactsRoute,
		Available: func(s *Server) bool { return s.cfg.Reporting != nil }},
	{Key: "dnc", Href: "/ui/dnc", Label: "Do-not-contact", Route: uiDNCRoute,
		Available: func(s *Server) bool { return s.cfg.Suppressions != nil }},
	{Key: "stop-request", Href: "/ui/dnc/request", Label: "Stop requests", Route: uiCheckRoute,
		Available: func(s *Server) bool { return s.cfg.Suppressions != nil }},
	{Key: "bounces", Href: "/ui/bounces", Label: "Bounces", Route: uiBounceRoute,
		Available: func(s *Server) bool { return s.cfg.Bounces != nil }},
	{Key: "verify", Href: "/ui/verify", Label: "Verification", Route: uiVerifyJobsRoute,
		Available: func(s *Server) bool { return s.cfg.Verifier != nil }},
	{Key: "purposes", Href: "/ui/purposes", Label: "Purposes", Route: uiPurposesRoute,
		Available: func(s *Server) bool { return s.cfg.Consents != nil }},
	{Key: "audit", Href: "/ui/audit", Label: "Audit log", Route: uiAuditRoute,
		Available: func(s *Server) bool { return s.cfg.Audit != nil }},
	{Key: "jobs", Href: "/ui/jobs", Label: "Jobs", Route: uiJobsRoute,
		Available: func(s *Server) bool { return s.cfg.Jobs != nil }},
	{Key: "settings", Href: "/ui/settings", Label: "Settings", Route: settingsRoute,
		Available: func(s *Server) bool { return s.cfg.Workspaces != nil }},
	{Key: "account", Href: "/ui/account", Label: "My account", Roles: uiEveryoneRoles,
		Available: func(s *Server) bool { return s.cfg.Accounts != nil }},
}

// nav describes the signed-in user for the layout.
func (s *Server) nav(r *http.Request, current string) uiNav {
	ss, id := sessionOf(r.Context())
	n := uiNav{Email: ss.Email, Role: ss.Role, Workspace: ss.Workspace, CSRF: user.CSRFToken(id), Current: current}
	for _, sec := range uiSections {
		if sec.Available(s) && s.maySection(r, sec) {
			n.Sections = append(n.Sections, uiNavItem{Key: sec.Key, Href: sec.Href, Label: sec.Label})
		}
	}
	return n
}

// section reports whether the role's menu holds the section key.
func (n uiNav) section(key string) bool {
	return slices.ContainsFunc(n.Sections, func(i uiNavItem) bool { return i.Key == key })
}

// may reports whether the session's role may call the API route ("METHOD /path") behind a page or a form.
func (s *Server) may(r *http.Request, route string) bool {
	method, _, _ := strings.Cut(route, " ")
	ss, _ := sessionOf(r.Context())
	return access.Allows(rolesFor(route), ss.Role, method)
}

// uiGate answers 403 (or 404 when the server lacks the service) unless the session's role may
// call route; it reports whether the page may go on.
func (s *Server) uiGate(w http.ResponseWriter, r *http.Request, route, section string, available bool) bool {
	if !available {
		s.uiError(w, r, section, http.StatusNotFound, "This part of clearlist is not set up on this server.")
		return false
	}
	if !s.may(r, route) {
		ss, _ := sessionOf(r.Context())
		what := "open this page"
		if !strings.HasPrefix(route, "GET ") {
			what = "do this"
		}
		s.uiError(w, r, section, http.StatusForbidden, "Your role ("+ss.Role+") may not "+what+"; ask an owner for another role.")
		return false
	}
	return true
}

// uiError renders an error page inside the layout.
func (s *Server) uiError(w http.ResponseWriter, r *http.Request, section string, status int, msg string) {
	s.renderUI(w, r, status, errorPage(s.nav(r, section), http.StatusText(status), msg))
}

// uiFail renders a service error: not found as 404, anything else as a logged 500.
func (s *Server) uiFail(w http.ResponseWriter, r *http.Request, section, what string, err error) {
	if errors.Is(err, errs.ErrNotFound) {
		s.uiError(w, r, section, http.StatusNotFound, "There is no such "+what+" in this workspace.")
		return
	}
	s.log.ErrorContext(r.Context(), "ui page", "path", r.URL.Path, "what", what, "err", err)
	s.uiError(w, r, section, http.StatusInternalServerError, "Something went wrong reading the "+what+"; the server log has the details.")
}

// pathID reads the {id} of a page's path.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// dashboardData is the dashboard: lists with their member counts and the latest campaigns.
type dashboardData struct {
	Nav       uiNav
	Lists     []contact.ListWithCount
	ShowLists bool
	Campaigns []campaignRow
	// ShowCampaigns is false when the role may not read campaigns or none are set up.
	ShowCampaigns bool
	Reports       dashboardReports
	ListsNote     string // when the member counts were counted ("" when just now)
}

// campaignRow is a campaign in a listing, with its report when one was read.
type campaignRow struct {
	campaign.Campaign
	Summary *report.Summary
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	d := dashboardData{Nav: s.nav(r, "dashboard")}
	var err error
	var what string
	if d.Reports, what, err = s.dashboardReports(r); err != nil {
		s.uiFail(w, r, "dashboard", what, err)
		return
	}
	if s.cfg.Contacts != nil && s.may(r, uiListsRoute) {
		lists, err := s.dashboardLists(r, &d)
		if err != nil {
			s.uiFail(w, r, "dashboard", "lists", err)
			return
		}
		d.Lists, d.ShowLists = lists, true
	}
	if s.cfg.Campaigns != nil && s.may(r, uiCampaignsRoute) {
		cs, err := s.cfg.Campaigns.Campaigns(ctx, ws)
		if err != nil {
			s.uiFail(w, r, "dashboard", "campaigns", err)
			return
		}
		d.ShowCampaigns = true
		slices.SortFunc(cs, func(a, b campaign.Campaign) int { return cmp.Compare(b.ID, a.ID) })
		withReport := s.cfg.Reports != nil && s.may(r, uiReportRoute)
		for _, c := range cs[:min(len(cs), uiRecentCampaigns)] {
			row := campaignRow{Campaign: c}
			if withReport {
				sum, err := s.cfg.Reports.Summary(ctx, ws, c.ID)
				if err != nil {
					s.uiFail(w, r, "dashboard", "campaign report", err)
					return
				}
				row.Summary = &sum
			}
			d.Campaigns = append(d.Campaigns, row)
		}
	}
	s.renderUI(w, r, http.StatusOK, dashboardPage(d))
}

// contactsData is one page of the contact listing, or the answer of a search by e-mail.
type contactsData struct {
	Nav        uiNav
	Email      string // the address searched for, "" when listing
	Error      string
	Contacts   []contact.Contact
	NextCursor string
}

func (s *Server) uiContacts(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiContactsRoute, "contacts", s.cfg.Contacts != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	d := contactsData{Nav: s.nav(r, "contacts"), Email: strings.TrimSpace(r.URL.Query().Get("email"))}
	if d.Email != "" {
		c, err := s.cfg.Contacts.ContactByEmail(ctx, ws, d.Email)
		switch {
		case errors.Is(err, contact.ErrInvalidEmail):
			d.Error = "That is not an e-mail address: " + err.Error()
		case errors.Is(err, errs.ErrNotFound):
			d.Error = "No contact has the address " + d.Email + "."
		case err != nil:
			s.uiFail(w, r, "contacts", "contact", err)
			return
		default:
			d.Contacts = []contact.Contact{c}
		}
		status := http.StatusOK
		if d.Error != "" {
			status = http.StatusNotFound
		}
		s.renderUI(w, r, status, contactsPage(d))
		return
	}
	after, err := decodeCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		d.Error = "That page link is out of date; start again from the first page."
		s.renderUI(w, r, http.StatusBadRequest, contactsPage(d))
		return
	}
	items, err := s.cfg.Contacts.Contacts(ctx, ws, contact.Filter{After: after, Limit: uiPageSize + 1})
	if err != nil {
		s.uiFail(w, r, "contacts", "contacts", err)
		return
	}
	if len(items) > uiPageSize {
		items = items[:uiPageSize]
		d.NextCursor = encodeCursor(items[uiPageSize-1].ID)
	}
	d.Contacts = items
	s.renderUI(w, r, http.StatusOK, contactsPage(d))
}

// contactData is everything the contact page shows.
type contactData struct {
	Nav      uiNav
	Contact  contact.Contact
	Lists    []contact.List
	Sources  []contact.Source
	Consents *consent.History
	// DNC are the do-not-contact entries of the contact's address (nil: not available).
	DNC         []suppress.Suppression
	ShowDNC     bool
	Eligibility []policy.Eligibility
	// EligibilityError says why a purpose could not be evaluated (by purpose).
	EligibilityError map[string]string
}

func (s *Server) uiContact(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiContactRoute, "contacts", s.cfg.Contacts != nil) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "contacts", http.StatusNotFound, "There is no such contact in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	c, err := s.cfg.Contacts.Contact(ctx, ws, id)
	if err != nil {
		s.uiFail(w, r, "contacts", "contact", err)
		return
	}
	d := contactData{Nav: s.nav(r, "contacts"), Contact: c, EligibilityError: map[string]string{}}
	if d.Lists, err = s.cfg.Contacts.Memberships(ctx, ws, id); err != nil {
		s.uiFail(w, r, "contacts", "contact's lists", err)
		return
	}
	if d.Sources, err = s.cfg.Contacts.ContactSources(ctx, ws, id); err != nil {
		s.uiFail(w, r, "contacts", "contact's sources", err)
		return
	}
	if s.cfg.Consents != nil && s.may(r, "GET /api/v1/contacts/{id}/consents") {
		h, err := s.cfg.Consents.History(ctx, ws, id)
		if err != nil {
			s.uiFail(w, r, "contacts", "consent ledger", err)
			return
		}
		d.Consents = &h
	}
	if s.cfg.Suppressions != nil && c.EmailCanonical != "" && s.may(r, "GET /api/v1/suppressions") {
		entries, err := s.cfg.Suppressions.SuppressionsFor(ctx, ws, string(suppress.KindEmail), c.EmailCanonical)
		if err != nil {
			s.uiFail(w, r, "contacts", "do-not-contact entries", err)
			return
		}
		d.DNC, d.ShowDNC = suppress.ForRole(apiRole(ss.Role), entries), true
	}
	if s.cfg.Eligibility != nil && s.cfg.Consents != nil && c.EmailCanonical != "" && s.may(r, "GET /api/v1/eligibility") {
		purposes, err := s.cfg.Consents.Purposes(ctx, ws)
		if err != nil {
			s.uiFail(w, r, "contacts", "purposes", err)
			return
		}
		for _, p := range purposes {
			e, err := s.cfg.Eligibility.Eligibility(ctx, ws, c.EmailCanonical, p.Name, string(consent.Email))
			if err != nil {
				d.EligibilityError[p.Name] = err.Error()
				d.Eligibility = append(d.Eligibility, policy.Eligibility{Purpose: p.Name, Channel: string(consent.Email)})
				continue
			}
			d.Eligibility = append(d.Eligibility, e)
		}
	}
	s.renderUI(w, r, http.StatusOK, contactDetailPage(d))
}

// campaignsData is the campaign listing.
type campaignsData struct {
	Nav       uiNav
	Campaigns []campaign.Campaign
	CanCreate bool // the role may create campaigns (the editor's link)
}

func (s *Server) uiCampaigns(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiCampaignsRoute, "campaigns", s.cfg.Campaigns != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	cs, err := s.cfg.Campaigns.Campaigns(r.Context(), ss.WorkspaceID)
	if err != nil {
		s.uiFail(w, r, "campaigns", "campaigns", err)
		return
	}
	slices.SortFunc(cs, func(a, b campaign.Campaign) int { return cmp.Compare(b.ID, a.ID) })
	s.renderUI(w, r, http.StatusOK, campaignsPage(campaignsData{Nav: s.nav(r, "campaigns"), Campaigns: cs,
		CanCreate: s.may(r, uiCreateCampaignRoute)}))
}

// campaignData is a campaign's report page.
type campaignData struct {
	Nav          uiNav
	Summary      report.Summary
	Domains      []report.Domain
	Buckets      []bucketCount
	OutcomeChart string // SVG
	DomainChart  string // SVG
	// Exports are the buckets with a CSV download (tracking buckets only with individual tracking).
	Exports []report.Bucket
}

// bucketCount is one bar of the outcome chart.
type bucketCount struct {
	Bucket report.Bucket
	Count  int64
}

func (s *Server) uiCampaign(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiReportRoute, "campaigns", s.cfg.Reports != nil) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "campaigns", http.StatusNotFound, "There is no such campaign in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	sum, err := s.cfg.Reports.Summary(ctx, ws, id)
	if err != nil {
		s.uiFail(w, r, "campaigns", "campaign", err)
		return
	}
	doms, err := s.cfg.Reports.Domains(ctx, ws, id)
	if err != nil {
		s.uiFail(w, r, "campaigns", "campaign's domains", err)
		return
	}
	d := campaignData{Nav: s.nav(r, "campaigns"), Summary: sum, Domains: doms, Buckets: outcomeBuckets(sum)}
	bars := make([]bar, len(d.Buckets))
	for i, b := range d.Buckets {
		bars[i] = bar{Label: string(b.Bucket), Value: b.Count}
		if !b.Bucket.Tracking() || sum.Individual {
			d.Exports = append(d.Exports, b.Bucket)
		}
	}
	d.OutcomeChart = barChart("Messages by outcome", bars)
	dbars := make([]bar, len(doms))
	for i, dm := range doms {
		dbars[i] = bar{Label: dm.Domain, Value: int64(dm.Recipients)}
	}
	d.DomainChart = barChart("Recipients by receiving domain", dbars)
	s.renderUI(w, r, http.StatusOK, campaignPage(d))
}

// outcomeBuckets are the summary's counts in report order.
func outcomeBuckets(s report.Summary) []bucketCount {
	n := map[report.Bucket]int64{report.Sent: int64(s.Sent), report.Delivered: int64(s.Delivered), report.Failed: int64(s.Failed),
		report.Unknown: int64(s.Unknown), report.Excluded: int64(s.Excluded), report.Queued: int64(s.Queued),
		report.Bounced: s.Bounced, report.Complained: s.Complained, report.Unsubscribed: s.Unsubscribed,
		report.Opened: s.Opened.People, report.Clicked: s.Clicked.People}
	out := make([]bucketCount, 0, len(report.Buckets))
	for _, b := range report.Buckets {
		out = append(out, bucketCount{Bucket: b, Count: n[b]})
	}
	return out
}

// exportURL is the CSV download of a campaign's bucket (the API's export, read with the session).
func exportURL(id int64, b report.Bucket) string {
	return "/api/v1/campaigns/" + strconv.FormatInt(id, 10) + "/recipients/export?bucket=" + string(b) + "&format=csv"
}

// percent formats a rate between 0 and 1.
func percent(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + " %" }

// attrRow is one of a contact's attributes as text.
type attrRow struct{ Name, Value string }

// attrRows lists a contact's attributes by name.
func attrRows(m map[string]any) []attrRow {
	out := make([]attrRow, 0, len(m))
	for k, v := range m {
		out = append(out, attrRow{Name: k, Value: fmt.Sprint(v)})
	}
	slices.SortFunc(out, func(a, b attrRow) int { return cmp.Compare(a.Name, b.Name) })
	return out
}

// when formats a time for the pages (UTC, to the minute); the zero time is "—".
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

// whenPtr is when for an optional time.
func whenPtr(t *time.Time) string {
	if t == nil {
		return "—"
	}
	return when(*t)
}

// contactURL and campaignURL are the pages of one contact and one campaign.
func contactURL(id int64) string  { return "/ui/contacts/" + strconv.FormatInt(id, 10) }
func campaignURL(id int64) string { return "/ui/campaigns/" + strconv.FormatInt(id, 10) }

// nextURL is the contact listing's next page.
func nextURL(cursor string) string { return "/ui/contacts?cursor=" + url.QueryEscape(cursor) }

// evidenceText is a consent entry's evidence in one line.
func evidenceText(e consent.Evidence) string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+": "+v)
		}
	}
	add("wording", e.Wording)
	add("form", strings.TrimSpace(e.FormID+" "+e.FormVersion))
	add("document", e.DocumentRef)
	add("collector", e.Collector)
	add("IP", e.IP)
	if !e.Timestamp.IsZero() {
		add("at", when(e.Timestamp))
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// keyValues is a map of strings (a source's evidence) in one line, by key.
func keyValues(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		keys[i] = k + ": " + m[k]
	}
	if len(keys) == 0 {
		return "—"
	}
	return strings.Join(keys, "; ")
}
