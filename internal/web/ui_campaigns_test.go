package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/preflight"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/unsub"
	"github.com/clearlist/clearlist/internal/user"
	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
	wss "github.com/clearlist/clearlist/internal/workspace"
)

// campaignUIFixture is the UI fixture with a campaign service built on the real parts: the
// composer (footer from the workspace's settings, no relay: the development outbox, so the
// sender checks do not block), eligibility and do-not-contact screening, the outbox as the
// transport; no job queue, so a test runs the send by hand.
type campaignUIFixture struct {
	*uiFixture
	list   int64
	outbox string
	draft  int64 // a draft with HTML personalised by the contact's (hostile) name
}

func newCampaignUIFixture(t *testing.T, st *store.Store) *campaignUIFixture {
	t.Helper()
	f := newUIFixture(t, st)
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	settings := wss.New(st)
	for k, v := range map[string]string{campaign.SettingSenderName: "Example <Ltd>", campaign.SettingPostalAddress: "1 High St, London"} {
		if err := settings.SetSetting(ctx, f.ws, k, v); err != nil {
			t.Fatal(err)
		}
	}
	scr := suppress.New(st, suppress.Options{Region: "DE"}, slog.New(slog.NewTextHandler(t.Output(), nil)))
	elig := eligibility.New(st, scr, settings)
	k := &campaign.Composer{Settings: settings, Links: unsub.New(st, scr), Notices: elig, Keys: st, DKIM: campaign.NewDKIMKeys(st),
		PublicBase: "http://127.0.0.1:9"}
	outbox := t.TempDir()
	f.srv.cfg.Campaigns = campaign.New(campaign.Deps{Store: st, Eligibility: elig, Screener: scr, Renderer: k, Gate: k, Sources: st,
		Contacts: st, Sender: &deliver.Outbox{Dir: outbox}, Settings: settings}, campaign.Options{})
	lists, err := st.ContactLists(ctx, f.ws, f.contact.ID)
	if err != nil || len(lists) != 1 {
		t.Fatalf("lists %v %v", lists, err)
	}
	c, err := f.srv.cfg.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: f.ws, Name: "Spring <b>sale</b>", Purpose: "newsletter",
		Lists: lists, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi {{.Contact.name}}",
			HTML: `<p>Hello {{.Contact.name}}, <a href="https://shop.example/">shop</a></p>`, Text: "Hello {{.Contact.name}}"}})
	if err != nil {
		t.Fatal(err)
	}
	return &campaignUIFixture{uiFixture: f, list: lists[0], outbox: outbox, draft: c.ID}
}

// post sends a form as the session, with its form token unless csrf is false.
func (f *campaignUIFixture) post(path, session string, form url.Values, csrf bool) (int, string, string) {
	f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if csrf {
		form.Set("csrf", user.CSRFToken(session))
	}
	r := f.do("POST", path, session, form, nil)
	return r.StatusCode, r.Header.Get("Location"), bodyOf(f.t, r)
}

// editorForm is a valid editor form for the fixture's list.
func (f *campaignUIFixture) editorForm(name string) url.Values {
	return url.Values{"name": {name}, "purpose": {"newsletter"}, "channel": {"email"}, "lists": {strconv.FormatInt(f.list, 10)},
		"from_name": {"News"}, "from_address": {"news@example.org"}, "subject": {"Hello {{.Contact.name}}"},
		"markdown": {"# Hi\n\nNews for you."}, "local_time": {"09:30"}, "rate": {"2.5"}, "workers": {"3"},
		"track_opens": {"off"}, "track_clicks": {"on"}, "ab": {"1"}, "ab_subject_1": {"Another hello"}, "ab_sample": {"30"},
		"ab_metric": {"opens"}, "ab_wait": {"2h"}}
}

// TestUICampaignEditor on both engines: a marketer creates a campaign with every field of
// the API's body, a refusal shows its message next to the field with the input kept, a
// draft is edited, a form without the session's token is refused, and each save is the
// service's audited change by the user.
func TestUICampaignEditor(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newCampaignUIFixture(t, st)
		m := f.login("marketer@example.com", "")
		_, b := f.page("/ui/campaigns", m)
		mustContain(t, "campaigns", b, `href="/ui/campaigns/new"`, fmt.Sprintf(`href="/ui/campaigns/%d/manage"`, f.draft))
		code, b := f.page("/ui/campaigns/new", m)
		if code != 200 {
			t.Fatalf("editor: %d %s", code, b)
		}
		mustContain(t, "editor", b, `<label for="name">`, `name="lists"`, "&lt;img src=x onerror=alert(2)&gt;", `<option value="newsletter"`,
			`<label for="from_address">`, `<label for="template_id">`, `<label for="local_time">`, `<label for="ab_metric">`, `name="csrf"`)

		// Refused by the service: no sender address. The message sits by the field.
		bad := f.editorForm(xssName)
		bad.Del("from_address")
		code, _, b = f.post("/ui/campaigns", m, bad, true)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("no from address: %d %s", code, b)
		}
		mustContain(t, "refused editor", b, `id="from_address-error"`, `aria-describedby="from_address-error"`, `aria-invalid="true"`,
			`value="&lt;script&gt;alert(1)&lt;/script&gt;"`, "# Hi\n\nNews for you.</textarea>", `value="09:30"`)
		// Refused by the form: a rate that is no number.
		bad = f.editorForm("x")
		bad.Set("rate", "fast")
		if code, _, b = f.post("/ui/campaigns", m, bad, true); code != http.StatusUnprocessableEntity || !strings.Contains(b, `id="rate-error"`) {
			t.Fatalf("bad rate: %d %s", code, b)
		}
		// Without the form token.
		if code, _, _ = f.post("/ui/campaigns", m, f.editorForm("no token"), false); code != http.StatusForbidden {
			t.Fatalf("without csrf: %d", code)
		}

		code, loc, b := f.post("/ui/campaigns", m, f.editorForm(xssName), true)
		if code != http.StatusSeeOther || !strings.HasSuffix(loc, "/manage?done=created") {
			t.Fatalf("create: %d %s %s", code, loc, b)
		}
		id, err := strconv.ParseInt(strings.Split(loc, "/")[3], 10, 64)
		if err != nil {
			t.Fatal(loc, err)
		}
		c, err := st.Campaign(t.Context(), f.ws, id)
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != xssName || c.LocalTime != "09:30" || c.Rate != 2.5 || c.Workers != 3 || c.TrackOpens != "off" || c.TrackClicks != "on" ||
			c.Markdown == "" || c.AB == nil || c.AB.SamplePercent != 30 || c.AB.Metric != campaign.MetricOpens || c.AB.Variants[0].Subject != "Another hello" ||
			c.CreatedBy != "user:marketer@example.com" {
			t.Fatalf("created %+v", c)
		}
		code, b = f.page(loc, m)
		if code != 200 {
			t.Fatalf("manage: %d %s", code, b)
		}
		mustContain(t, "manage", b, "&lt;script&gt;alert(1)&lt;/script&gt;", "The campaign was created as a draft", `id="campaign-state">draft`,
			`id="start"`, `id="send-test"`, `id="schedule"`, "Edit the draft", "&lt;img src=x onerror=alert(2)&gt;")
		if strings.Contains(b, "<script>alert") {
			t.Fatalf("manage page carries the name unescaped:\n%s", b)
		}

		// Edit the draft: the form shows what is stored; a save rewrites it.
		code, b = f.page(fmt.Sprintf("/ui/campaigns/%d/edit", id), m)
		if code != 200 {
			t.Fatalf("edit: %d %s", code, b)
		}
		mustContain(t, "edit", b, `value="2.5"`, `value="Another hello"`, `<option value="opens" selected>`, `<option value="off" selected>`, "checked")
		edit := f.editorForm("Renamed")
		edit.Del("ab")
		if code, loc, b = f.post(fmt.Sprintf("/ui/campaigns/%d/edit", id), m, edit, true); code != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=saved") {
			t.Fatalf("update: %d %s %s", code, loc, b)
		}
		if c, err = st.Campaign(t.Context(), f.ws, id); err != nil || c.Name != "Renamed" || c.AB != nil {
			t.Fatalf("updated %+v %v", c, err)
		}
		es, err := st.AuditEntries(context.Background(), f.ws, audit.Filter{Entity: "campaign"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{}
		for _, e := range es {
			if e.Actor.Kind == audit.User {
				got[e.Action] = true
			}
		}
		if !got["campaign.create"] || !got["campaign.update"] {
			t.Errorf("audit by the user: %v", got)
		}
	})
}

// TestUICampaignRoles on both engines: read-only sees a campaign's page and preview but no
// editor and no button, and is refused on every form; an agent opens none of it.
func TestUICampaignRoles(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newCampaignUIFixture(t, st)
		ro, agent := f.login("read-only@example.com", ""), f.login("agent@example.com", "")
		manage := fmt.Sprintf("/ui/campaigns/%d/manage", f.draft)
		code, b := f.page(manage, ro)
		if code != 200 {
			t.Fatalf("read-only manage: %d %s", code, b)
		}
		for _, no := range []string{`id="start"`, `id="send-test"`, `id="schedule"`, `id="cancel"`, "Edit the draft"} {
			if strings.Contains(b, no) {
				t.Errorf("read-only sees %s", no)
			}
		}
		if _, b = f.page("/ui/campaigns", ro); strings.Contains(b, `href="/ui/campaigns/new"`) {
			t.Errorf("read-only sees the new campaign link")
		}
		if code, _ = f.page(fmt.Sprintf("/ui/campaigns/%d/preview?email=xss@example.com", f.draft), ro); code != 200 {
			t.Errorf("read-only preview: %d", code)
		}
		for _, p := range []string{"/ui/campaigns/new", fmt.Sprintf("/ui/campaigns/%d/edit", f.draft), "/ui/templates/new"} {
			if code, _ = f.page(p, ro); code != http.StatusForbidden {
				t.Errorf("read-only GET %s: %d", p, code)
			}
		}
		for _, p := range []string{"/ui/campaigns", fmt.Sprintf("/ui/campaigns/%d/edit", f.draft), fmt.Sprintf("/ui/campaigns/%d/start", f.draft),
			fmt.Sprintf("/ui/campaigns/%d/test", f.draft), fmt.Sprintf("/ui/campaigns/%d/cancel", f.draft), "/ui/templates"} {
			if code, _, _ = f.post(p, ro, f.editorForm("ro"), true); code != http.StatusForbidden {
				t.Errorf("read-only POST %s: %d", p, code)
			}
		}
		for _, p := range []string{manage, fmt.Sprintf("/ui/campaigns/%d/progress", f.draft), fmt.Sprintf("/ui/campaigns/%d/preflight", f.draft),
			fmt.Sprintf("/ui/campaigns/%d/preview?email=xss@example.com", f.draft), "/ui/templates"} {
			if code, b = f.page(p, agent); code != http.StatusForbidden || strings.Contains(b, "Spring") {
				t.Errorf("agent %s: %d", p, code)
			}
		}
		if c, err := st.Campaign(t.Context(), f.ws, f.draft); err != nil || c.State != campaign.Draft {
			t.Fatalf("after the refusals: %+v %v", c, err)
		}
		// Compliance cancels but neither edits nor starts nor tests.
		f.addUser("compliance@example.com", "compliance")
		co := f.login("compliance@example.com", "")
		_, b = f.page(manage, co)
		mustContain(t, "compliance manage", b, `id="cancel"`, `id="preflight"`)
		for _, no := range []string{`id="start"`, `id="send-test"`, `id="schedule"`, "Edit the draft"} {
			if strings.Contains(b, no) {
				t.Errorf("compliance sees %s", no)
			}
		}
		if code, _, _ = f.post(fmt.Sprintf("/ui/campaigns/%d/start", f.draft), co, nil, true); code != http.StatusForbidden {
			t.Errorf("compliance start: %d", code)
		}
		if code, _, _ = f.post(fmt.Sprintf("/ui/campaigns/%d/cancel", f.draft), co, nil, true); code != http.StatusSeeOther {
			t.Errorf("compliance cancel: %d", code)
		}
	})
}

// TestUICampaignPreview on both engines: the preview renders the message with the contact's
// attributes, the HTML in a sandboxed iframe's srcdoc (markup of the contact's name escaped
// twice over: by the renderer and as the attribute), the text part as text; an address of
// nobody is refused next to the field; the API answers the same.
func TestUICampaignPreview(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newCampaignUIFixture(t, st)
		m := f.login("marketer@example.com", "")
		code, b := f.page(fmt.Sprintf("/ui/campaigns/%d/preview?email=XSS@example.com", f.draft), m)
		if code != 200 {
			t.Fatalf("preview: %d %s", code, b)
		}
		mustContain(t, "preview", b, `sandbox=""`, `srcdoc="`, `id="preview-subject">Hi &lt;script&gt;alert(1)&lt;/script&gt;</dd>`,
			"&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;", `<pre class="preview" id="preview-text">Hello &lt;script&gt;alert(1)&lt;/script&gt;`,
			"Example &lt;Ltd&gt;", "Spring &lt;b&gt;sale&lt;/b&gt;")
		for _, raw := range []string{"<script>alert", "<b>sale", "<p>Hello", "/o/", "/c/"} {
			if strings.Contains(b, raw) {
				t.Errorf("preview carries %q unescaped or tracked:\n%s", raw, b)
			}
		}
		code, b = f.page(fmt.Sprintf("/ui/campaigns/%d/preview?email=nobody@example.com", f.draft), m)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("preview of nobody: %d %s", code, b)
		}
		mustContain(t, "preview of nobody", b, `id="email-error"`, "No contact has the address nobody@example.com", `aria-describedby="email-error"`,
			`value="nobody@example.com"`)

		r := f.doAs(f.token, "GET", fmt.Sprintf("/api/v1/campaigns/%d/preview?email=xss@example.com", f.draft), nil, "")
		want(t, r, 200)
		if j := r.json(t); j["subject"] != "Hi <script>alert(1)</script>" || !strings.Contains(j["html"].(string), "&lt;script&gt;") {
			t.Fatalf("API preview %v", j)
		}
		r = f.doAs(f.token, "GET", fmt.Sprintf("/api/v1/campaigns/%d/preview?email=nobody@example.com", f.draft), nil, "")
		want(t, r, http.StatusUnprocessableEntity)
	})
}

// TestUICampaignSend on both engines: the pre-flight shows the audience per exclusion reason
// and passes (development outbox); a test message lands in the outbox; the start, a pause
// with its reason and the resume go through the service; the progress fragment polls while
// the campaign sends and stops once it has finished; a start the service refuses shows why.
func TestUICampaignSend(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newCampaignUIFixture(t, st)
		m := f.login("marketer@example.com", "")
		base := fmt.Sprintf("/ui/campaigns/%d", f.draft)
		code, b := f.page(base+"/preflight", m)
		if code != 200 {
			t.Fatalf("preflight: %d %s", code, b)
		}
		mustContain(t, "preflight", b, `id="eligible">1</strong>`, `<table id="excluded">`, "do-not-contact", `id="outbox"`, `id="ready"`, `id="start"`)

		code, loc, b := f.post(base+"/test", m, url.Values{"to": {"me@example.net"}}, true)
		if code != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=test") {
			t.Fatalf("test send: %d %s %s", code, loc, b)
		}
		if files, _ := os.ReadDir(f.outbox); len(files) != 1 {
			t.Fatalf("outbox after the test: %v", files)
		}
		if code, _, b = f.post(base+"/test", m, url.Values{"to": {"not an address"}}, true); code != http.StatusUnprocessableEntity ||
			!strings.Contains(b, `id="test-error"`) {
			t.Fatalf("test to a bad address: %d %s", code, b)
		}

		if code, loc, b = f.post(base+"/start", m, nil, true); code != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=started") {
			t.Fatalf("start: %d %s %s", code, loc, b)
		}
		_, b = f.page(base+"/progress", m)
		mustContain(t, "progress while sending", b, `hx-get="/ui/campaigns/`, `hx-trigger="every 1s"`, `id="progress-state">sending`,
			`id="progress-remaining">1</dd>`)
		if strings.Contains(b, "<html") {
			t.Errorf("the fragment carries the layout")
		}
		o := f.login("owner@example.com", "")
		if code, _, b = f.post(base+"/pause", o, url.Values{"reason": {"checking <links>"}}, true); code != http.StatusSeeOther {
			t.Fatalf("pause: %d %s", code, b)
		}
		_, b = f.page(base+"/progress", m)
		mustContain(t, "progress paused", b, `id="progress-state">paused`, "checking &lt;links&gt;")
		if strings.Contains(b, "hx-get") {
			t.Errorf("a paused campaign's progress polls")
		}
		if code, _, b = f.post(base+"/resume", m, nil, true); code != http.StatusSeeOther {
			t.Fatalf("resume: %d %s", code, b)
		}
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.System, ID: "test"})
		if _, err := f.srv.cfg.Campaigns.Send(ctx, f.ws, f.draft, "test-claim"); err != nil {
			t.Fatal(err)
		}
		_, b = f.page(base+"/progress?sent=0&at=1", m)
		mustContain(t, "progress finished", b, `id="progress-state">finished`, `id="progress-sent">1</dd>`, `id="progress-remaining">0</dd>`, "on average")
		if strings.Contains(b, "hx-get") {
			t.Errorf("a finished campaign's progress polls:\n%s", b)
		}
		// A page loaded while it was sending is loaded again whole, for the buttons of the new state.
		r := f.do("GET", base+"/progress?state=sending", m, nil, map[string]string{"HX-Request": "true"})
		if got := r.Header.Get("HX-Redirect"); got != base+"/manage" {
			t.Errorf("progress after the state changed: HX-Redirect %q", got)
		}
		if files, _ := os.ReadDir(f.outbox); len(files) != 2 {
			t.Fatalf("outbox after the send: %v", files)
		}
		// Each button was the service's audited change, by the user.
		es, err := st.AuditEntries(context.Background(), f.ws, audit.Filter{Entity: "campaign"})
		if err != nil {
			t.Fatal(err)
		}
		by := map[string]string{}
		for _, e := range es {
			if e.Actor.Kind == audit.User {
				by[e.Action] = e.Actor.Name
			}
		}
		if by["campaign.start"] != "marketer@example.com" || by["campaign.pause"] != "owner@example.com" || by["campaign.resume"] != "marketer@example.com" {
			t.Errorf("audit entries by the users: %v", by)
		}
		// Started twice: refused, with the reason on the page.
		if code, _, b = f.post(base+"/start", m, nil, true); code != http.StatusConflict || !strings.Contains(b, `id="action-error"`) {
			t.Fatalf("second start: %d %s", code, b)
		}

		// A start the service refuses: nobody on the list may be mailed.
		ctxCLI := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		l, err := st.CreateList(ctxCLI, contact.List{WorkspaceID: f.ws, Name: "only bob"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.CreateContact(ctxCLI, contact.Contact{WorkspaceID: f.ws, Email: "carol@example.com", EmailCanonical: "carol@example.com",
			Status: contact.StatusActive, FirstSourceID: f.contact.FirstSourceID}, []int64{l.ID}); err != nil {
			t.Fatal(err)
		}
		empty, err := f.srv.cfg.Campaigns.Create(ctxCLI, campaign.Campaign{WorkspaceID: f.ws, Name: "Empty", Purpose: "newsletter",
			Lists: []int64{l.ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"}})
		if err != nil {
			t.Fatal(err)
		}
		_, b = f.page(fmt.Sprintf("/ui/campaigns/%d/preflight", empty.ID), m)
		mustContain(t, "empty preflight", b, `id="eligible">0</strong>`, `id="blocked"`)
		code, _, b = f.post(fmt.Sprintf("/ui/campaigns/%d/start", empty.ID), m, nil, true)
		if code != http.StatusConflict || !strings.Contains(b, "nobody on its lists may be mailed") {
			t.Fatalf("start of an empty audience: %d %s", code, b)
		}
	})
}

// TestUITemplates on both engines: a marketer lists, creates and edits saved templates
// (names escaped, a refusal next to its field); read-only reads them without a save button.
func TestUITemplates(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newCampaignUIFixture(t, st)
		m, ro := f.login("marketer@example.com", ""), f.login("read-only@example.com", "")
		if code, b := f.page("/ui/templates/new", m); code != 200 || !strings.Contains(b, `<label for="name">`) {
			t.Fatalf("new template: %d %s", code, b)
		}
		code, _, b := f.post("/ui/templates", m, url.Values{"name": {xssName}, "subject": {"S"}}, true)
		if code != http.StatusUnprocessableEntity || !strings.Contains(b, `id="html-error"`) || !strings.Contains(b, `value="&lt;script&gt;alert(1)&lt;/script&gt;"`) {
			t.Fatalf("template without a body: %d %s", code, b)
		}
		code, loc, b := f.post("/ui/templates", m, url.Values{"name": {xssName}, "subject": {"S"}, "html": {"<p>Hi</p>"}}, true)
		if code != http.StatusSeeOther {
			t.Fatalf("create template: %d %s", code, b)
		}
		path := strings.TrimSuffix(loc, "?done=1")
		if code, _, b = f.post(path, m, url.Values{"name": {"Renamed"}, "subject": {"S2"}, "text": {"Hi"}}, true); code != http.StatusSeeOther {
			t.Fatalf("update template: %d %s", code, b)
		}
		_, b = f.page("/ui/templates", m)
		mustContain(t, "templates", b, "Renamed", `href="/ui/templates/new"`, `<a href="`+path+`">`)
		_, b = f.page(path, ro)
		mustContain(t, "read-only template", b, "Renamed", "<fieldset disabled>")
		if strings.Contains(b, `id="save"`) {
			t.Errorf("read-only sees the save button")
		}
		// The editor offers the template.
		_, b = f.page("/ui/campaigns/new", m)
		mustContain(t, "editor", b, ">Renamed</option>")
		_, b = f.page("/ui/templates", m)
		if strings.Contains(b, "<script>alert") {
			t.Errorf("templates page unescaped")
		}
		es, err := st.AuditEntries(context.Background(), f.ws, audit.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		var by []string
		for _, e := range es {
			if e.Actor.Kind == audit.User && strings.HasPrefix(e.Action, "template.") {
				by = append(by, e.Action)
			}
		}
		if len(by) != 2 {
			t.Errorf("template changes audited by the user: %v", by)
		}
	})
}

// TestUICampaignPreflightBlocks on both engines: with a relay configured and a sender domain
// without SPF, DKIM or DMARC records (a real DNS server on loopback answering NXDOMAIN), the
// pre-flight lists each failing check with the record to publish and offers no start; a
// start is refused with the same reasons on the campaign's page, and nothing is queued.
func TestUICampaignPreflightBlocks(t *testing.T) {
	dnsAddr := verifytest.Zone(t)
	engines(t, func(t *testing.T, st *store.Store) {
		f := newCampaignUIFixture(t, st)
		settings := wss.New(st)
		scr := suppress.New(st, suppress.Options{Region: "DE"}, slog.New(slog.NewTextHandler(t.Output(), nil)))
		elig := eligibility.New(st, scr, settings)
		k := &campaign.Composer{Settings: settings, Links: unsub.New(st, scr), Notices: elig, Keys: st, DKIM: campaign.NewDKIMKeys(st),
			PublicBase: "http://127.0.0.1:9", Relays: []preflight.Relay{{Addr: "127.0.0.1:1", TLS: "none"}},
			Resolver: func() (preflight.Resolver, error) { return verify.NewDNSResolver(verify.DNSConfig{Server: dnsAddr}) }}
		f.srv.cfg.Campaigns = campaign.New(campaign.Deps{Store: st, Eligibility: elig, Screener: scr, Renderer: k, Gate: k, Sources: st,
			Contacts: st, Sender: &deliver.Outbox{Dir: f.outbox}, Settings: settings}, campaign.Options{})
		m := f.login("marketer@example.com", "")
		base := fmt.Sprintf("/ui/campaigns/%d", f.draft)
		code, b := f.page(base+"/preflight", m)
		if code != 200 {
			t.Fatalf("preflight: %d %s", code, b)
		}
		mustContain(t, "blocked preflight", b, `id="blocked"`, `<th scope="row">spf</th><td class="no">fail</td>`, `<pre class="fix">`, "v=spf1",
			`<th scope="row">dmarc</th>`)
		if strings.Contains(b, `id="start"`) || strings.Contains(b, `id="outbox"`) {
			t.Errorf("a blocked pre-flight offers the start or speaks of the outbox")
		}
		code, _, b = f.post(base+"/start", m, nil, true)
		if code != http.StatusUnprocessableEntity {
			t.Fatalf("blocked start: %d %s", code, b)
		}
		mustContain(t, "blocked start", b, `id="action-error"`, "fails the mailbox providers&#39; authentication checks", "fix:", "v=spf1")
		if c, err := st.Campaign(t.Context(), f.ws, f.draft); err != nil || c.State != campaign.Draft {
			t.Fatalf("after the refused start: %+v %v", c, err)
		}
	})
}

// TestUICampaignScheduleRetryAB on both engines: a draft is scheduled at a time (its progress
// then polls) and a time that is none is refused next to its field; retry is compliance's
// (a marketer is refused, an owner is not); an A/B campaign's page shows each variant's
// figures while it sends, the preview shows variant B, and "pick the winner now" decides.
func TestUICampaignScheduleRetryAB(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := newCampaignUIFixture(t, st)
		m, o := f.login("marketer@example.com", ""), f.login("owner@example.com", "")
		base := fmt.Sprintf("/ui/campaigns/%d", f.draft)
		code, _, b := f.post(base+"/schedule", m, url.Values{"at": {"tomorrow"}}, true)
		if code != http.StatusUnprocessableEntity || !strings.Contains(b, `id="schedule-error"`) || !strings.Contains(b, `value="tomorrow"`) {
			t.Fatalf("schedule at no time: %d %s", code, b)
		}
		if code, _, b = f.post(base+"/schedule", m, url.Values{"at": {"2099-12-24T09:00"}}, true); code != http.StatusSeeOther {
			t.Fatalf("schedule: %d %s", code, b)
		}
		_, b = f.page(base+"/manage", m)
		mustContain(t, "scheduled", b, `id="campaign-state">scheduled`, "2099-12-24 09:00 UTC", `hx-trigger="every 10s"`, `id="start"`)
		if strings.Contains(b, `id="schedule"`) {
			t.Errorf("a scheduled campaign offers to schedule it again")
		}

		if code, _, _ = f.post(base+"/retry", m, url.Values{"state": {"failed"}}, true); code != http.StatusForbidden {
			t.Errorf("marketer retry: %d", code)
		}
		if code, _, b = f.post(base+"/retry", o, url.Values{"state": {"failed"}}, true); code != http.StatusConflict || !strings.Contains(b, `id="action-error"`) {
			t.Errorf("owner retry of a scheduled campaign: %d %s", code, b)
		}

		// An A/B test on the whole audience (one eligible contact), started by the service.
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		svc := f.srv.cfg.Campaigns
		c, err := svc.Create(ctx, campaign.Campaign{WorkspaceID: f.ws, Name: "AB", Purpose: "newsletter", Lists: []int64{f.list},
			FromAddress: "news@example.org", Content: campaign.Content{Subject: "A for {{.Contact.name}}", Text: "Hello"},
			AB: &campaign.ABTest{Variants: []campaign.Variant{{Subject: "B for {{.Contact.name}}"}}, SamplePercent: 100}})
		if err != nil {
			t.Fatal(err)
		}
		ab := fmt.Sprintf("/ui/campaigns/%d", c.ID)
		code, b = f.page(ab+"/preview?email=xss@example.com&variant=B", m)
		if code != 200 || !strings.Contains(b, `id="preview-subject">B for &lt;script&gt;`) || !strings.Contains(b, `<option value="B" selected>`) {
			t.Fatalf("preview of variant B: %d %s", code, b)
		}
		if _, err := svc.Start(ctx, f.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		_, b = f.page(ab+"/manage", m)
		mustContain(t, "A/B page", b, `<table id="variants">`, `<th scope="row">A</th>`, `<th scope="row">B</th>`, `id="pick"`, `<option value="B">B</option>`)
		if code, loc, b := f.post(ab+"/pick", m, url.Values{"variant": {"B"}}, true); code != http.StatusSeeOther || !strings.HasSuffix(loc, "?done=picked") {
			t.Fatalf("pick: %d %s %s", code, loc, b)
		}
		_, b = f.page(ab+"/manage", m)
		mustContain(t, "decided", b, `id="ab-decision">Winner: variant <strong>B</strong>`, "user:marketer@example.com")
		if strings.Contains(b, `id="pick"`) {
			t.Errorf("a decided test offers the pick")
		}
		if code, _, b = f.post(ab+"/pick", m, url.Values{"variant": {"A"}}, true); code != http.StatusConflict || !strings.Contains(b, `id="action-error"`) || !strings.Contains(b, "decided already") {
			t.Errorf("second pick: %d %s", code, b)
		}
	})
}
