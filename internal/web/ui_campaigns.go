package web

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/a-h/templ"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
)

// The campaign pages that change campaigns: the editor, the campaign's page (preview,
// pre-flight, test send, start, schedule, pause, resume, cancel, retry, live progress, the A/B
// test's pick) and the saved templates. Each calls the same service method as its API route
// and is allowed to the roles of that route.
const (
	uiCreateCampaignRoute = "POST /api/v1/campaigns"
	uiGetCampaignRoute    = "GET /api/v1/campaigns/{id}"
	uiUpdateCampaignRoute = "PUT /api/v1/campaigns/{id}"
	uiPreflightRoute      = "GET /api/v1/campaigns/{id}/preflight"
	uiPreviewRoute        = "GET /api/v1/campaigns/{id}/preview"
	uiTemplatesRoute      = "GET /api/v1/templates"
	uiTemplateRoute       = "GET /api/v1/templates/{id}"
	uiCreateTemplateRoute = "POST /api/v1/templates"
	uiUpdateTemplateRoute = "PUT /api/v1/templates/{id}"
)

// uiCampaignActions are the buttons of a campaign's page: the form's action name and the API
// route it stands for.
var uiCampaignActions = map[string]string{
	"test":     "POST /api/v1/campaigns/{id}/test",
	"start":    "POST /api/v1/campaigns/{id}/start",
	"schedule": "POST /api/v1/campaigns/{id}/schedule",
	"pause":    "POST /api/v1/campaigns/{id}/pause",
	"resume":   "POST /api/v1/campaigns/{id}/resume",
	"cancel":   "POST /api/v1/campaigns/{id}/cancel",
	"retry":    "POST /api/v1/campaigns/{id}/retry",
	"pick":     "POST /api/v1/campaigns/{id}/ab/pick",
}

// maxCampaignForm bounds an editor form (three message parts of up to a MB each, and more).
const maxCampaignForm = 4*campaign.MaxTemplateSize + 64<<10

// uiCampaignRoutes registers the campaign editor, the campaign's page and the templates.
func (s *Server) uiCampaignRoutes(page func(string, http.HandlerFunc)) {
	page("GET /ui/campaigns/new", s.uiCampaignNew)
	page("POST /ui/campaigns", s.uiCampaignCreate)
	page("GET /ui/campaigns/{id}/edit", s.uiCampaignEdit)
	page("POST /ui/campaigns/{id}/edit", s.uiCampaignUpdate)
	page("GET /ui/campaigns/{id}/manage", s.uiCampaignManage)
	page("GET /ui/campaigns/{id}/progress", s.uiCampaignProgress)
	page("GET /ui/campaigns/{id}/preview", s.uiCampaignPreview)
	page("GET /ui/campaigns/{id}/preflight", s.uiCampaignPreflight)
	page("POST /ui/campaigns/{id}/{action}", s.uiCampaignAction)
	page("GET /ui/templates", s.uiTemplates)
	page("GET /ui/templates/new", s.uiTemplateNew)
	page("POST /ui/templates", s.uiTemplateCreate)
	page("GET /ui/templates/{id}", s.uiTemplateEdit)
	page("POST /ui/templates/{id}", s.uiTemplateUpdate)
}

// readForm parses a posted form of at most limit bytes; false when it answered.
func (s *Server) readForm(w http.ResponseWriter, r *http.Request, limit int64, section string) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		s.uiError(w, r, section, http.StatusBadRequest, "The form could not be read (too large or broken); go back and try again.")
		return false
	}
	return true
}

// ---- The editor ----

// campaignForm is the editor's form as the user typed it (kept on a validation error).
type campaignForm struct {
	ID                                                int64 // 0: a new campaign
	Name, Purpose, FromName, FromAddress, ReplyTo     string
	TemplateID                                        string
	Subject, Preheader, HTML, Text, Markdown          string
	Rate, Workers, LocalTime, TrackOpens, TrackClicks string
	Lists                                             []int64
	AB                                                bool
	Variants                                          [3]variantForm
	Sample, Metric, Wait                              string
}

type variantForm struct{ Subject, TemplateID string }

// editorData is the editor page.
type editorData struct {
	Nav       uiNav
	Form      campaignForm
	Errors    map[string]string // field name -> what to fix; "" the form's own
	Lists     []contact.ListWithCount
	Templates []campaign.Template
	Purposes  []string
}

func formOfCampaign(c campaign.Campaign) campaignForm {
	f := campaignForm{ID: c.ID, Name: c.Name, Purpose: c.Purpose, FromName: c.FromName, FromAddress: c.FromAddress, ReplyTo: c.ReplyTo,
		Subject: c.Subject, Preheader: c.Preheader, HTML: c.HTML, Text: c.Text, Markdown: c.Markdown, LocalTime: c.LocalTime,
		TrackOpens: c.TrackOpens, TrackClicks: c.TrackClicks, Lists: c.Lists}
	if c.TemplateID != 0 {
		f.TemplateID = strconv.FormatInt(c.TemplateID, 10)
	}
	if c.Rate != 0 {
		f.Rate = strconv.FormatFloat(c.Rate, 'f', -1, 64)
	}
	if c.Workers != 0 {
		f.Workers = strconv.Itoa(c.Workers)
	}
	if t := c.AB; t != nil {
		f.AB, f.Metric, f.Wait = true, string(t.Metric), t.Wait
		if t.SamplePercent != 0 {
			f.Sample = strconv.Itoa(t.SamplePercent)
		}
		for i, v := range t.Variants {
			if i < len(f.Variants) {
				f.Variants[i].Subject = v.Subject
				if v.TemplateID != 0 {
					f.Variants[i].TemplateID = strconv.FormatInt(v.TemplateID, 10)
				}
			}
		}
	}
	return f
}

func readCampaignForm(r *http.Request, id int64) campaignForm {
	v := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	f := campaignForm{ID: id, Name: v("name"), Purpose: v("purpose"), FromName: v("from_name"), FromAddress: v("from_address"),
		ReplyTo: v("reply_to"), TemplateID: v("template_id"), Subject: v("subject"), Preheader: v("preheader"),
		HTML: r.PostForm.Get("html"), Text: r.PostForm.Get("text"), Markdown: r.PostForm.Get("markdown"),
		Rate: v("rate"), Workers: v("workers"), LocalTime: v("local_time"), TrackOpens: v("track_opens"), TrackClicks: v("track_clicks"),
		AB: r.PostForm.Get("ab") != "", Sample: v("ab_sample"), Metric: v("ab_metric"), Wait: v("ab_wait")}
	for _, l := range r.PostForm["lists"] {
		if n, err := strconv.ParseInt(l, 10, 64); err == nil && n > 0 {
			f.Lists = append(f.Lists, n)
		}
	}
	for i := range f.Variants {
		n := strconv.Itoa(i + 1)
		f.Variants[i] = variantForm{Subject: v("ab_subject_" + n), TemplateID: v("ab_template_" + n)}
	}
	return f
}

// body turns the form into the API's campaign body; the errors are per field.
func (f campaignForm) body() (campaignBody, map[string]string) {
	bad := map[string]string{}
	id := func(field, s string) int64 {
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			bad[field] = "Pick a saved template from the list."
		}
		return n
	}
	b := campaignBody{Name: f.Name, Purpose: f.Purpose, Lists: f.Lists, FromName: f.FromName, FromAddress: f.FromAddress, ReplyTo: f.ReplyTo,
		TemplateID: id("template_id", f.TemplateID), LocalTime: f.LocalTime, TrackOpens: f.TrackOpens, TrackClicks: f.TrackClicks,
		Content: campaign.Content{Subject: f.Subject, Preheader: f.Preheader, HTML: f.HTML, Text: f.Text, Markdown: f.Markdown}}
	if f.Rate != "" {
		r, err := strconv.ParseFloat(f.Rate, 64)
		if err != nil || r < 0 {
			bad["rate"] = "Give the most messages a second as a number, such as 10 or 2.5; leave it empty for no limit."
		}
		b.Rate = r
	}
	if f.Workers != "" {
		n, err := strconv.Atoi(f.Workers)
		if err != nil || n < 0 || n > 32 {
			bad["workers"] = "Give a whole number of workers from 1 to 32; leave it empty for the default."
		}
		b.Workers = n
	}
	if f.AB {
		ab := &abBody{Metric: f.Metric, Wait: f.Wait}
		if f.Sample != "" {
			n, err := strconv.Atoi(f.Sample)
			if err != nil || n < 1 || n > 100 {
				bad["ab"] = "Give the sample as a whole percentage from 1 to 100."
			}
			ab.Sample = n
		}
		for _, v := range f.Variants {
			if v.Subject == "" && v.TemplateID == "" {
				continue
			}
			ab.Variants = append(ab.Variants, abVariantBody{Subject: v.Subject, TemplateID: id("ab", v.TemplateID)})
		}
		b.AB = ab
	}
	return b, bad
}

// campaignFieldOf is the editor's field a service refusal is about ("" for the form).
func campaignFieldOf(msg string) string {
	m := strings.ToLower(msg)
	for _, k := range []struct{ word, field string }{
		{"a/b", "ab"}, {"give the campaign a name", "name"}, {"purpose", "purpose"}, {"list", "lists"},
		{"from address", "from_address"}, {"reply-to", "reply_to"}, {"local time", "local_time"}, {"the rate", "rate"},
		{"tracking", "track_opens"}, {"give the message", "html"}, {"template part", "html"}, {"template", "template_id"},
		{"give the subject", "subject"}, {"one line", "name"},
	} {
		if strings.Contains(m, k.word) {
			return k.field
		}
	}
	return ""
}

// saveError turns a service's refusal of the editor's form into field errors and a status;
// ok is false for an error the page cannot explain (a server error).
func saveError(err error, fieldOf func(string) string) (map[string]string, int, bool) {
	msg := strings.TrimPrefix(err.Error(), campaign.ErrInvalid.Error()+": ")
	switch {
	case errors.Is(err, campaign.ErrInvalid):
		return map[string]string{fieldOf(msg): capital(msg) + "."}, http.StatusUnprocessableEntity, true
	case errors.Is(err, errs.ErrNotFound) && strings.Contains(msg, "template"):
		return map[string]string{fieldOf(msg): "That template no longer exists (" + msg + "): pick another."}, http.StatusUnprocessableEntity, true
	case errors.Is(err, campaign.ErrState), errors.Is(err, errs.ErrConflict):
		return map[string]string{"": capital(msg) + "."}, http.StatusConflict, true
	}
	return nil, 0, false
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// editor reads what the editor's pickers offer: lists, templates and purposes.
func (s *Server) editor(r *http.Request, f campaignForm, bad map[string]string) (editorData, error) {
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	d := editorData{Nav: s.nav(r, "campaigns"), Form: f, Errors: bad}
	var err error
	if s.cfg.Contacts != nil {
		if d.Lists, err = s.cfg.Contacts.Lists(ctx, ws); err != nil {
			return d, err
		}
	}
	if d.Templates, err = s.cfg.Campaigns.Templates(ctx, ws); err != nil {
		return d, err
	}
	if s.cfg.Consents != nil {
		ps, err := s.cfg.Consents.Purposes(ctx, ws)
		if err != nil {
			return d, err
		}
		for _, p := range ps {
			d.Purposes = append(d.Purposes, p.Name)
		}
	}
	return d, nil
}

func (s *Server) renderEditor(w http.ResponseWriter, r *http.Request, status int, f campaignForm, bad map[string]string) {
	d, err := s.editor(r, f, bad)
	if err != nil {
		s.uiFail(w, r, "campaigns", "campaign editor", err)
		return
	}
	s.renderUI(w, r, status, campaignEditorPage(d))
}

func (s *Server) uiCampaignNew(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiCreateCampaignRoute, "campaigns", s.cfg.Campaigns != nil) {
		return
	}
	s.renderEditor(w, r, http.StatusOK, campaignForm{}, nil)
}

func (s *Server) uiCampaignCreate(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiCreateCampaignRoute, "campaigns", s.cfg.Campaigns != nil) || !s.readForm(w, r, maxCampaignForm, "campaigns") {
		return
	}
	ss, _ := sessionOf(r.Context())
	f := readCampaignForm(r, 0)
	b, bad := f.body()
	if len(bad) > 0 {
		s.renderEditor(w, r, http.StatusUnprocessableEntity, f, bad)
		return
	}
	c, err := s.cfg.Campaigns.Create(r.Context(), b.campaign(ss.WorkspaceID))
	if err != nil {
		bad, status, ok := saveError(err, campaignFieldOf)
		if !ok {
			s.uiFail(w, r, "campaigns", "campaign", err)
			return
		}
		s.renderEditor(w, r, status, f, bad)
		return
	}
	http.Redirect(w, r, manageURL(c.ID)+"?done=created", http.StatusSeeOther)
}

func (s *Server) uiCampaignEdit(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiUpdateCampaignRoute, "campaigns", s.cfg.Campaigns != nil) {
		return
	}
	c, ok := s.uiCampaignOf(w, r)
	if !ok {
		return
	}
	if !campaign.Editable(c.State) {
		s.uiError(w, r, "campaigns", http.StatusConflict, fmt.Sprintf("The campaign is %s: it can no longer be edited. Pause, resume or cancel it on its page, or create a new campaign.", c.State))
		return
	}
	s.renderEditor(w, r, http.StatusOK, formOfCampaign(c), nil)
}

func (s *Server) uiCampaignUpdate(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiUpdateCampaignRoute, "campaigns", s.cfg.Campaigns != nil) || !s.readForm(w, r, maxCampaignForm, "campaigns") {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "campaigns", http.StatusNotFound, "There is no such campaign in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	f := readCampaignForm(r, id)
	b, bad := f.body()
	if len(bad) > 0 {
		s.renderEditor(w, r, http.StatusUnprocessableEntity, f, bad)
		return
	}
	c := b.campaign(ss.WorkspaceID)
	c.ID = id
	if _, err := s.cfg.Campaigns.Update(r.Context(), c); err != nil {
		bad, status, ok := saveError(err, campaignFieldOf)
		if !ok {
			s.uiFail(w, r, "campaigns", "campaign", err)
			return
		}
		s.renderEditor(w, r, status, f, bad)
		return
	}
	http.Redirect(w, r, manageURL(id)+"?done=saved", http.StatusSeeOther)
}

// uiCampaignOf reads the campaign of the page's path; false when it answered.
func (s *Server) uiCampaignOf(w http.ResponseWriter, r *http.Request) (campaign.Campaign, bool) {
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "campaigns", http.StatusNotFound, "There is no such campaign in this workspace.")
		return campaign.Campaign{}, false
	}
	ss, _ := sessionOf(r.Context())
	c, err := s.cfg.Campaigns.Campaign(r.Context(), ss.WorkspaceID, id)
	if err != nil {
		s.uiFail(w, r, "campaigns", "campaign", err)
		return c, false
	}
	return c, true
}

// ---- The campaign's page ----

// manageData is a campaign's page: its settings, what may be done now and its progress.
type manageData struct {
	Nav      uiNav
	Campaign campaign.Campaign
	Lists    []string // the audience's list names
	Template string   // the saved template's name, "" for content of its own
	Progress progressData
	Can      map[string]bool // actions the role may take in the campaign's state
	Done     string          // what the last action did
	Error    string          // why the last action was refused
	Field    string          // the form the error is shown by (test, schedule, pause, retry, pick); "": at the top
	TestTo   string
	At       string
}

// progressData is the live progress fragment.
type progressData struct {
	ID                                               int64
	State                                            campaign.State
	PauseReason                                      string
	Sent, Failed, Unknown, Excluded, Held, Remaining int
	AvgRate                                          string // messages a second since the start
	NowRate                                          string // since the previous poll ("" on the first)
	Poll                                             bool   // the campaign may still change by itself: poll again
	PollURL                                          string
	PollEvery                                        string // hx-trigger: every second while sending, less often while scheduled
	Test                                             *campaign.ABTest
	Variants                                         []campaign.VariantFigures
	Decision                                         *campaign.ABDecision
	CanPick                                          bool
}

var campaignDoneText = map[string]string{
	"created": "The campaign was created as a draft. Preview it, run the pre-flight and send a test before you start it.",
	"saved":   "The changes were saved.", "test": "The test message was sent.", "started": "The campaign started sending.",
	"scheduled": "The campaign is scheduled.", "paused": "The campaign is paused.", "resumed": "The campaign is sending again.",
	"cancelled": "The campaign is cancelled.", "retried": "The deliveries were queued again.", "picked": "The A/B test is decided.",
}

func (s *Server) uiCampaignManage(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiGetCampaignRoute, "campaigns", s.cfg.Campaigns != nil) {
		return
	}
	c, ok := s.uiCampaignOf(w, r)
	if !ok {
		return
	}
	d, err := s.manage(r, c)
	if err != nil {
		s.uiFail(w, r, "campaigns", "campaign", err)
		return
	}
	d.Done = campaignDoneText[r.URL.Query().Get("done")]
	s.renderUI(w, r, http.StatusOK, campaignManagePage(d))
}

// manage reads what a campaign's page shows.
func (s *Server) manage(r *http.Request, c campaign.Campaign) (manageData, error) {
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	d := manageData{Nav: s.nav(r, "campaigns"), Campaign: c, Can: map[string]bool{}}
	if s.cfg.Contacts != nil {
		ls, err := s.cfg.Contacts.Lists(ctx, ws)
		if err != nil {
			return d, err
		}
		for _, l := range ls {
			if slices.Contains(c.Lists, l.ID) {
				d.Lists = append(d.Lists, l.Name)
			}
		}
	}
	if c.TemplateID != 0 {
		t, err := s.cfg.Campaigns.Template(ctx, ws, c.TemplateID)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			return d, err
		}
		d.Template = cmpOrString(t.Name, fmt.Sprintf("template %d", c.TemplateID))
	}
	var err error
	if d.Progress, _, err = s.progress(r, c.ID); err != nil {
		return d, err
	}
	may := func(action string) bool { return s.may(r, uiCampaignActions[action]) }
	st := c.State
	d.Can["edit"] = campaign.Editable(st) && s.may(r, uiUpdateCampaignRoute)
	d.Can["preview"] = s.may(r, uiPreviewRoute)
	d.Can["preflight"] = (st == campaign.Draft || st == campaign.Scheduled) && s.may(r, uiPreflightRoute)
	d.Can["test"] = may("test")
	d.Can["start"] = (st == campaign.Draft || st == campaign.Scheduled) && may("start")
	d.Can["schedule"] = st == campaign.Draft && may("schedule")
	d.Can["pause"] = st == campaign.Sending && may("pause")
	d.Can["resume"] = st == campaign.Paused && may("resume")
	d.Can["cancel"] = st != campaign.Finished && st != campaign.Cancelled && may("cancel")
	d.Can["retry"] = (st == campaign.Sending || st == campaign.Paused || st == campaign.Finished) && may("retry") &&
		(d.Progress.Failed > 0 || d.Progress.Unknown > 0)
	d.Can["report"] = s.cfg.Reports != nil && s.may(r, uiReportRoute)
	return d, nil
}

func cmpOrString(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// progress counts the campaign's deliveries for the progress fragment.
// progress reads the campaign with its deliveries per state (one cheap service call, as it
// is asked every second while the campaign sends) for the progress fragment.
func (s *Server) progress(r *http.Request, id int64) (progressData, campaign.Campaign, error) {
	ss, _ := sessionOf(r.Context())
	ctx, ws := r.Context(), ss.WorkspaceID
	c, by, err := s.cfg.Campaigns.Progress(ctx, ws, id)
	if err != nil {
		return progressData{}, c, err
	}
	p := progressData{ID: c.ID, State: c.State, PauseReason: c.PauseReason, Sent: by[campaign.Sent], Failed: by[campaign.Failed],
		Unknown: by[campaign.Unknown], Excluded: by[campaign.Excluded], Held: by[campaign.Held],
		Remaining: by[campaign.Queued] + by[campaign.Claimed] + by[campaign.InFlight] + by[campaign.Held],
		Poll:      c.State == campaign.Sending || c.State == campaign.Scheduled, Test: c.AB, Decision: c.ABDecision}
	now := time.Now()
	if c.StartedAt != nil {
		end := now
		if c.FinishedAt != nil {
			end = *c.FinishedAt
		}
		if secs := end.Sub(*c.StartedAt).Seconds(); secs > 0 {
			p.AvgRate = strconv.FormatFloat(float64(p.Sent)/secs, 'f', 1, 64)
		}
	}
	q := r.URL.Query()
	if prev, err := strconv.Atoi(q.Get("sent")); err == nil {
		if at, err := strconv.ParseInt(q.Get("at"), 10, 64); err == nil {
			if secs := now.Sub(time.UnixMilli(at)).Seconds(); secs > 0.05 {
				p.NowRate = strconv.FormatFloat(max(0, float64(p.Sent-prev))/secs, 'f', 1, 64)
			}
		}
	}
	p.PollEvery = "every 1s"
	if c.State == campaign.Scheduled {
		p.PollEvery = "every 10s"
	}
	p.PollURL = fmt.Sprintf("/ui/campaigns/%d/progress?sent=%d&at=%d&state=%s", c.ID, p.Sent, now.UnixMilli(), c.State)
	if c.AB != nil && s.cfg.Reports != nil {
		if p.Variants, err = s.cfg.Reports.Variants(ctx, c); err != nil {
			return p, c, err
		}
		p.CanPick = c.ABDecision == nil && (c.State == campaign.Sending || c.State == campaign.Paused) &&
			s.may(r, uiCampaignActions["pick"])
	}
	return p, c, nil
}

// uiCampaignProgress is the live progress fragment (htmx polls it while the campaign sends).
func (s *Server) uiCampaignProgress(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiGetCampaignRoute, "campaigns", s.cfg.Campaigns != nil) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "campaigns", http.StatusNotFound, "There is no such campaign in this workspace.")
		return
	}
	p, c, err := s.progress(r, id)
	if err != nil {
		s.uiFail(w, r, "campaigns", "campaign's progress", err)
		return
	}
	// The campaign moved on (finished, paused by the guard, …): htmx loads the whole page
	// again, so that its buttons are those of the new state.
	if was := r.URL.Query().Get("state"); was != "" && was != string(c.State) && r.Header.Get("HX-Request") == "true" {
		w.Header().Set("HX-Redirect", manageURL(c.ID))
	}
	s.renderUI(w, r, http.StatusOK, campaignProgress(p))
}

// uiCampaignAction runs one button of a campaign's page through the service method of its
// API route, then shows the page again (303), or the page with the refusal next to the form.
func (s *Server) uiCampaignAction(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	route, known := uiCampaignActions[action]
	if !known {
		s.uiError(w, r, "campaigns", http.StatusNotFound, "There is no such action on a campaign.")
		return
	}
	if !s.uiGate(w, r, route, "campaigns", s.cfg.Campaigns != nil) || !s.readForm(w, r, 64<<10, "campaigns") {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "campaigns", http.StatusNotFound, "There is no such campaign in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	ctx, ws, svc := r.Context(), ss.WorkspaceID, s.cfg.Campaigns
	form := func(k string) string { return strings.TrimSpace(r.PostForm.Get(k)) }
	var err error
	done := action
	switch action {
	case "test":
		err = svc.TestSend(ctx, ws, id, form("to"))
	case "start":
		_, err = svc.Start(ctx, ws, id)
		done = "started"
	case "schedule":
		var at time.Time
		if at, err = time.Parse("2006-01-02T15:04", form("at")); err != nil {
			err = fmt.Errorf("%w: give the start as a date and time (UTC), such as 2026-12-24T09:00", campaign.ErrInvalid)
		} else {
			err = svc.Schedule(ctx, ws, id, at)
		}
		done = "scheduled"
	case "pause":
		err = svc.Pause(ctx, ws, id, form("reason"))
		done = "paused"
	case "resume":
		err = svc.Resume(ctx, ws, id)
		done = "resumed"
	case "cancel":
		err = svc.Cancel(ctx, ws, id)
		done = "cancelled"
	case "retry":
		_, err = svc.Retry(ctx, ws, id, campaign.DeliveryState(form("state")))
		done = "retried"
	case "pick":
		_, err = svc.PickAB(ctx, ws, id, form("variant"))
		done = "picked"
	}
	if err == nil {
		http.Redirect(w, r, manageURL(id)+"?done="+done, http.StatusSeeOther)
		return
	}
	status := http.StatusUnprocessableEntity
	switch {
	case errors.Is(err, campaign.ErrState), errors.Is(err, campaign.ErrEmptyAudience), errors.Is(err, errs.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, campaign.ErrInvalid):
	case errors.Is(err, errs.ErrNotFound):
		s.uiFail(w, r, "campaigns", "campaign", err)
		return
	case action == "test":
		status = http.StatusBadGateway // the transport refused: say so, the page stays usable
	default:
		s.uiFail(w, r, "campaigns", "campaign", err)
		return
	}
	c, cerr := svc.Campaign(ctx, ws, id)
	if cerr != nil {
		s.uiFail(w, r, "campaigns", "campaign", cerr)
		return
	}
	d, derr := s.manage(r, c)
	if derr != nil {
		s.uiFail(w, r, "campaigns", "campaign", derr)
		return
	}
	d.Error = capital(strings.TrimPrefix(err.Error(), campaign.ErrInvalid.Error()+": "))
	d.Field, d.TestTo, d.At = action, form("to"), form("at")
	// The refusal goes next to its form when the page still shows it, else at the top.
	if shown := map[string]bool{"test": d.Can["test"], "schedule": d.Can["schedule"], "pause": d.Can["pause"],
		"retry": d.Can["retry"], "pick": d.Progress.CanPick}; !shown[action] {
		d.Field = ""
	}
	s.renderUI(w, r, status, campaignManagePage(d))
}

// ---- Preview and pre-flight ----

// previewData is the preview page.
type previewData struct {
	Nav      uiNav
	Campaign campaign.Campaign
	Email    string
	Variant  string
	Variants []string // A, B, … when the campaign has an A/B test
	Error    string
	Preview  *campaign.Preview
}

func (s *Server) uiCampaignPreview(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiPreviewRoute, "campaigns", s.cfg.Campaigns != nil) {
		return
	}
	c, ok := s.uiCampaignOf(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	d := previewData{Nav: s.nav(r, "campaigns"), Campaign: c, Email: strings.TrimSpace(q.Get("email")), Variant: strings.ToUpper(q.Get("variant"))}
	if c.AB != nil {
		for i := range len(c.AB.Variants) + 1 {
			d.Variants = append(d.Variants, campaign.VariantName(i+1))
		}
	}
	status := http.StatusOK
	if d.Email != "" {
		ss, _ := sessionOf(r.Context())
		p, err := s.cfg.Campaigns.Preview(r.Context(), ss.WorkspaceID, c.ID, d.Email, d.Variant)
		switch {
		case errors.Is(err, campaign.ErrInvalid):
			d.Error, status = capital(strings.TrimPrefix(err.Error(), campaign.ErrInvalid.Error()+": "))+".", http.StatusUnprocessableEntity
		case err != nil:
			s.uiFail(w, r, "campaigns", "preview", err)
			return
		default:
			d.Preview = &p
		}
	}
	s.renderUI(w, r, status, campaignPreviewPage(d))
}

// preflightData is the pre-flight page.
type preflightData struct {
	Nav      uiNav
	Campaign campaign.Campaign
	Audience campaign.Audience
	Excluded []excludedCount // by count, largest first
	Blocked  bool            // the start would be refused
	CanStart bool
}

type excludedCount struct {
	Reason string
	Count  int
}

func (s *Server) uiCampaignPreflight(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiPreflightRoute, "campaigns", s.cfg.Campaigns != nil) {
		return
	}
	c, ok := s.uiCampaignOf(w, r)
	if !ok {
		return
	}
	ss, _ := sessionOf(r.Context())
	a, err := s.cfg.Campaigns.Preflight(r.Context(), ss.WorkspaceID, c.ID)
	if err != nil {
		s.uiFail(w, r, "campaigns", "pre-flight", err)
		return
	}
	d := preflightData{Nav: s.nav(r, "campaigns"), Campaign: c, Audience: a,
		Blocked: a.NotReady != "" || a.Eligible == 0 || (a.Sender != nil && a.Sender.Blocking)}
	for reason, n := range a.Excluded {
		d.Excluded = append(d.Excluded, excludedCount{Reason: reason, Count: n})
	}
	slices.SortFunc(d.Excluded, func(x, y excludedCount) int {
		if x.Count != y.Count {
			return y.Count - x.Count
		}
		return strings.Compare(x.Reason, y.Reason)
	})
	d.CanStart = (c.State == campaign.Draft || c.State == campaign.Scheduled) && s.may(r, uiCampaignActions["start"])
	s.renderUI(w, r, http.StatusOK, campaignPreflightPage(d))
}

// ---- Templates ----

// templatesData is the template listing.
type templatesData struct {
	Nav        uiNav
	Templates  []campaign.Template
	CanCreate  bool
	NextCursor string // continues the listing after this page; "" on the last page
	Error      string
}

// uiTemplatesPageSize is the number of templates on a page of the listing.
const uiTemplatesPageSize = 50

// templateData is a template's form.
type templateData struct {
	Nav     uiNav
	ID      int64 // 0: new
	Form    campaign.Template
	Errors  map[string]string
	CanSave bool
	Done    bool
}

func (s *Server) uiTemplates(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiTemplatesRoute, "templates", s.cfg.Campaigns != nil) {
		return
	}
	ss, _ := sessionOf(r.Context())
	d := templatesData{Nav: s.nav(r, "templates"), CanCreate: s.may(r, uiCreateTemplateRoute)}
	after, err := decodeNameCursor(r.URL.Query().Get("cursor"))
	if err != nil {
		d.Error = "That page link is out of date; start again from the first page."
		s.renderUI(w, r, http.StatusBadRequest, templatesPage(d))
		return
	}
	ts, err := s.cfg.Campaigns.TemplatesPage(r.Context(), ss.WorkspaceID, after, uiTemplatesPageSize+1)
	if err != nil {
		s.uiFail(w, r, "templates", "templates", err)
		return
	}
	if len(ts) > uiTemplatesPageSize {
		ts = ts[:uiTemplatesPageSize]
		d.NextCursor = encodeNameCursor(ts[uiTemplatesPageSize-1].Name)
	}
	d.Templates = ts
	s.renderUI(w, r, http.StatusOK, templatesPage(d))
}

func (s *Server) uiTemplateNew(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiCreateTemplateRoute, "templates", s.cfg.Campaigns != nil) {
		return
	}
	s.renderUI(w, r, http.StatusOK, templatePage(templateData{Nav: s.nav(r, "templates"), CanSave: true}))
}

func readTemplateForm(r *http.Request) campaign.Template {
	v := func(k string) string { return r.PostForm.Get(k) }
	return campaign.Template{Name: strings.TrimSpace(v("name")), Content: campaign.Content{Subject: strings.TrimSpace(v("subject")),
		Preheader: strings.TrimSpace(v("preheader")), HTML: v("html"), Text: v("text"), Markdown: v("markdown")}}
}

// templateFieldOf is the template form's field a refusal is about.
func templateFieldOf(msg string) string {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "name"):
		return "name"
	case strings.Contains(m, "subject"):
		return "subject"
	case strings.Contains(m, "body"), strings.Contains(m, "part"):
		return "html"
	}
	return ""
}

func (s *Server) uiTemplateCreate(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiCreateTemplateRoute, "templates", s.cfg.Campaigns != nil) || !s.readForm(w, r, maxCampaignForm, "templates") {
		return
	}
	ss, _ := sessionOf(r.Context())
	t := readTemplateForm(r)
	t.WorkspaceID = ss.WorkspaceID
	saved, err := s.cfg.Campaigns.AddTemplate(r.Context(), t)
	if err != nil {
		bad, status, ok := saveError(err, templateFieldOf)
		if !ok {
			s.uiFail(w, r, "templates", "template", err)
			return
		}
		s.renderUI(w, r, status, templatePage(templateData{Nav: s.nav(r, "templates"), Form: t, Errors: bad, CanSave: true}))
		return
	}
	http.Redirect(w, r, templateURL(saved.ID)+"?done=1", http.StatusSeeOther)
}

func (s *Server) uiTemplateEdit(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiTemplateRoute, "templates", s.cfg.Campaigns != nil) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "templates", http.StatusNotFound, "There is no such template in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	t, err := s.cfg.Campaigns.Template(r.Context(), ss.WorkspaceID, id)
	if err != nil {
		s.uiFail(w, r, "templates", "template", err)
		return
	}
	s.renderUI(w, r, http.StatusOK, templatePage(templateData{Nav: s.nav(r, "templates"), ID: id, Form: t,
		CanSave: s.may(r, uiUpdateTemplateRoute), Done: r.URL.Query().Get("done") != ""}))
}

func (s *Server) uiTemplateUpdate(w http.ResponseWriter, r *http.Request) {
	if !s.uiGate(w, r, uiUpdateTemplateRoute, "templates", s.cfg.Campaigns != nil) || !s.readForm(w, r, maxCampaignForm, "templates") {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.uiError(w, r, "templates", http.StatusNotFound, "There is no such template in this workspace.")
		return
	}
	ss, _ := sessionOf(r.Context())
	old, err := s.cfg.Campaigns.Template(r.Context(), ss.WorkspaceID, id)
	if err != nil {
		s.uiFail(w, r, "templates", "template", err)
		return
	}
	t := readTemplateForm(r)
	t.ID, t.WorkspaceID, t.CreatedAt = id, ss.WorkspaceID, old.CreatedAt
	if _, err := s.cfg.Campaigns.UpdateTemplate(r.Context(), t); err != nil {
		bad, status, ok := saveError(err, templateFieldOf)
		if !ok {
			s.uiFail(w, r, "templates", "template", err)
			return
		}
		s.renderUI(w, r, status, templatePage(templateData{Nav: s.nav(r, "templates"), ID: id, Form: t, Errors: bad, CanSave: true}))
		return
	}
	http.Redirect(w, r, templateURL(id)+"?done=1", http.StatusSeeOther)
}

// ---- URLs and small helpers of the templates ----

func manageURL(id int64) string   { return "/ui/campaigns/" + strconv.FormatInt(id, 10) + "/manage" }
func templateURL(id int64) string { return "/ui/templates/" + strconv.FormatInt(id, 10) }

func campaignActionURL(id int64, action string) string {
	return "/ui/campaigns/" + strconv.FormatInt(id, 10) + "/" + action
}

// errAttrs marks an input with an error: invalid, described by its message.
func errAttrs(bad map[string]string, field string) templ.Attributes {
	if bad[field] == "" {
		return templ.Attributes{}
	}
	return templ.Attributes{"aria-invalid": "true", "aria-describedby": field + "-error"}
}

// fieldAttrs are errAttrs, with the field's hint among its descriptions.
func fieldAttrs(bad map[string]string, field string, hint bool) templ.Attributes {
	a := errAttrs(bad, field)
	if hint {
		ids := field + "-hint"
		if bad[field] != "" {
			ids += " " + field + "-error"
		}
		a["aria-describedby"] = ids
	}
	return a
}

// rateLine is the progress's messages a second.
func rateLine(p progressData) string {
	switch {
	case p.AvgRate == "":
		return "—"
	case p.NowRate == "":
		return p.AvgRate + " on average"
	}
	return p.AvgRate + " on average, " + p.NowRate + " now"
}

func hasID(ids []int64, id int64) bool { return slices.Contains(ids, id) }

func idString(id int64) string { return strconv.FormatInt(id, 10) }

// formErrors are the field errors in the form's order, for the summary at the top.
func formErrors(bad map[string]string) []attrRow {
	var out []attrRow
	for _, f := range []string{"", "name", "purpose", "lists", "from_name", "from_address", "reply_to", "template_id", "subject",
		"preheader", "html", "text", "markdown", "local_time", "rate", "workers", "track_opens", "ab"} {
		if bad[f] != "" {
			out = append(out, attrRow{Name: f, Value: bad[f]})
		}
	}
	return out
}
