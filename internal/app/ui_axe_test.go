package app

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/riverqueue/river"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/track"
)

// axeViolation is one rule axe-core found broken, with the first nodes that break it.
type axeViolation struct {
	ID     string   `json:"id"`
	Impact string   `json:"impact"`
	Help   string   `json:"help"`
	Nodes  []string `json:"nodes"`
}

// axeRun runs axe-core on the page and returns its serious and critical violations.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
	.filter(v => v.impact === 'serious' || v.impact === 'critical')
	.map(v => ({id: v.id, impact: v.impact, help: v.help,
		nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' — ' + (n.failureSummary || '').replace(/\s+/g, ' '))})))`

// axeIDs says which fixture id stands for the {id} of a page, by the path segment before it
// ("/ui/contacts/{id}" is a contact's). A page added later under a new segment fails the walk
// by name until its fixture id is added here.
var axeIDs = map[string]string{"contacts": "contact", "campaigns": "campaign", "lists": "list", "imports": "import",
	"templates": "template", "suppressions": "suppression", "users": "user", "tokens": "token", "webhooks": "webhook",
	"verifications": "verify_job", "verify": "verify_job", "jobs": "job", "bounces": "bounce", "purposes": "purpose",
	"sources": "source", "audit": "audit"}

// axeSkip are the GET routes outside /api and /ui that are not pages, with why.
var axeSkip = map[string]string{
	"/healthz": "health check (JSON)", "/metrics": "Prometheus text", "/o/{token}": "open pixel (an image)",
	"/c/{token}": "click redirect", "/{$}": "redirect to /ui/", "/ui/static/{file}": "static files",
}

// TestAxeEveryPage runs axe-core (testdata/axe-core, from npm) in Chromium on every admin UI
// page and public page and fails on any serious or critical violation, printing them. The
// pages are the GET routes the running server registered under /ui/ (so pages added later
// are walked too; an {id} takes a fixture's id by its path segment, see axeIDs) and every
// other GET route that answers HTML (login and the public pages), signed in as an owner,
// who sees every section.
func TestAxeEveryPage(t *testing.T) {
	axe, err := os.ReadFile("testdata/axe-core/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	ids := axeFixture(t, a)
	base, stop := startServer(t, a)
	defer stop()
	for deadline := time.Now().Add(10 * time.Second); a.served.Load() == nil; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the server did not start")
		}
	}
	ids["unsub"] = axeUnsubToken(t, a, base, ids["contact"])
	ids["import"] = axeImport(t, a, base)
	// A job no worker knows, tried once: discarded, so the dashboard lists a job needing attention.
	jc, err := a.OpenJobs(t.Context(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer jc.Close()
	if _, _, err := jc.Enqueue(t.Context(), axeFailArgs{}, &river.InsertOpts{MaxAttempts: 1}); err != nil {
		t.Fatal(err)
	}
	failed := waitJobs(t, jc, axeFailArgs{}.Kind(), "discarded", 1)
	ids["job"] = strconv.FormatInt(failed[0].ID, 10)
	var ui, public []string
	wild := regexp.MustCompile(`\{[^}]+\}`)
	for _, p := range a.served.Load().Patterns() {
		method, path, _ := strings.Cut(p, " ")
		if method != "GET" || strings.HasPrefix(path, "/api/") || axeSkip[path] != "" || strings.HasPrefix(path, "/hooks/") {
			continue
		}
		segs := strings.Split(path, "/")
		var missing []string
		page := wild.ReplaceAllStringFunc(path, func(w string) string {
			switch w {
			case "{$}":
				return ""
			case "{workspace}":
				return a.Workspace.Name
			case "{token}":
				return ids["unsub"]
			}
			i := slices.Index(segs, w)
			if i > 0 {
				if v, ok := ids[axeIDs[segs[i-1]]]; ok {
					return v
				}
			}
			missing = append(missing, w)
			return w
		})
		if len(missing) > 0 {
			t.Errorf("%s: the accessibility walk has no fixture for %v: add one to axeFixture and axeIDs", p, missing)
			continue
		}
		if strings.HasPrefix(path, "/ui/") {
			ui = append(ui, page)
		} else {
			public = append(public, page)
		}
	}
	tab := browserTab{t, ctx}
	check := func(page string) {
		t.Helper()
		tab.must(chromedp.Navigate(base + page))
		doc, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.doctype !== null && document.contentType === 'text/html'`))
		if err != nil {
			t.Fatalf("%s: %v", page, err)
		}
		if !doc {
			t.Logf("%s: not an HTML page (a fragment or a download), skipped", page)
			return
		}
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
			t.Fatalf("%s: inject axe-core: %v", page, err)
		}
		vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: axe.run: %v", page, err)
		}
		for _, v := range vs {
			t.Errorf("%s: %s (%s): %s\n\t%s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "\n\t"))
		}
		if dir := os.Getenv("CLEARLIST_SCREENSHOTS"); dir != "" && strings.HasPrefix(page, "/ui/reports/") {
			png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			name := "ui-" + strings.ReplaceAll(strings.Trim(page, "/"), "/", "-") + ".png"
			if err := os.WriteFile(filepath.Join(dir, strings.TrimPrefix(name, "ui-ui-")), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// The walk can fail: a page with an image without a text alternative is critical.
	tab.must(chromedp.Navigate(`data:text/html,<!DOCTYPE html><html lang="en"><title>t</title><main><img src="x.png"></main></html>`))
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+";true")); err != nil {
		t.Fatal(err)
	}
	if vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise)); err != nil ||
		!slices.ContainsFunc(vs, func(v axeViolation) bool { return v.ID == "image-alt" }) {
		t.Fatalf("axe-core on a page with an image without alt: %v, %v", vs, err)
	}
	// Strangers first (the login page and the public pages), then signed in.
	slices.Sort(public)
	for _, p := range public {
		check(p)
	}
	tab.must(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), "owner@example.com"), chromedp.SendKeys(chromedp.CSS(`#password`), "a long enough passphrase"),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`#whoami`)))
	slices.Sort(ui)
	for _, p := range ui {
		check(p)
	}
	tab.must(chromedp.Navigate(base + "/ui/"))
	if got := tab.text(`#jobs-attention`); !strings.Contains(got, "axe_unknown_kind") || !strings.Contains(got, "discarded") {
		t.Errorf("jobs needing attention: %q", got)
	}
	if len(ui) < 5 || !slices.Contains(public, "/login") {
		t.Errorf("walked too little: ui %v, public %v", ui, public)
	}
	t.Logf("axe-core found no serious or critical violation on %d admin pages and %d public pages: %v %v", len(ui), len(public), ui, public)
}

// axeFixture fills the workspace so that every page has something to show: an owner, a
// source, a list, contacts with consent, a do-not-contact entry, a campaign that sent with
// clicks, and the reports counted. It returns the ids by name (axeIDs).
func axeFixture(t *testing.T, a *App) map[string]string {
	t.Helper()
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	ws := a.Workspace.ID
	owner, err := a.Users.Add(ctx, "owner@example.com", "Owner", "a long enough passphrase", ws, access.RoleOwner)
	if err != nil {
		t.Fatal(err)
	}
	src, err := a.st.CreateSource(ctx, contact.Source{WorkspaceID: ws, Type: "web-form-double-opt-in", Description: "sign-up form"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := a.st.CreateList(ctx, contact.List{WorkspaceID: ws, Name: "newsletter"})
	if err != nil {
		t.Fatal(err)
	}
	publicList(t, a.st, ws, "signups")
	var cs []contact.Contact
	for _, addr := range []string{"ada@example.com", "grace@example.org"} {
		c, err := a.st.CreateContact(ctx, contact.Contact{WorkspaceID: ws, Email: addr, EmailCanonical: addr, Country: "DE",
			FirstSourceID: src.ID, Status: contact.StatusActive, Attrs: map[string]any{"first_name": "A"}}, []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}
		ledger(t, a, c, "newsletter", consent.Email, "gc")
		cs = append(cs, c)
	}
	if _, _, err := a.Suppressions.Suppress(ctx, ws, []suppress.Intake{{Value: "stop@example.com", Reason: "request-email", By: "test",
		ReceivedAt: time.Now().Add(-40 * 24 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	cp, err := a.st.CreateCampaign(ctx, campaign.Campaign{WorkspaceID: ws, Name: "December news", Purpose: "newsletter", Channel: "email",
		Lists: []int64{l.ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"},
		State: campaign.Draft, Workers: 1, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	snap := []campaign.Snapshot{{ContactID: cs[0].ID, State: campaign.Queued}, {ContactID: cs[1].ID, State: campaign.Queued}}
	if err := a.st.WriteDeliveries(ctx, ws, cp.ID, true, snap, now); err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.ClaimCampaignDeliveries(ctx, ws, cp.ID, "p", 2, now); err != nil {
		t.Fatal(err)
	}
	if err := a.st.RecordOutcomes(ctx, ws, cp.ID, "p", []campaign.Outcome{
		{ContactID: cs[0].ID, State: campaign.Sent, MessageID: "m1@x", Attempted: true, At: now},
		{ContactID: cs[1].ID, State: campaign.Failed, SMTPCode: 550, Reason: "no such user", Attempted: true, At: now}}); err != nil {
		t.Fatal(err)
	}
	if err := a.st.RecordEvent(ctx, track.Event{Workspace: ws, Campaign: cp.ID, Kind: track.EventClick, At: now, URL: "https://example.org/offer"}); err != nil {
		t.Fatal(err)
	}
	if err := a.Reporting.Count(ctx, ws, now); err != nil {
		t.Fatal(err)
	}
	id := func(n int64) string { return strconv.FormatInt(n, 10) }
	ids := map[string]string{"contact": id(cs[0].ID), "campaign": id(cp.ID), "list": id(l.ID), "source": id(src.ID), "user": id(owner.ID),
		"purpose": "newsletter"}
	// For the pages of other sections (they take these ids when they exist).
	if tok, _, err := a.Tokens.Create(ctx, ws, "axe", access.RoleAdmin); err == nil {
		ids["token"] = id(tok.ID)
	}
	if tpl, err := a.Campaigns.AddTemplate(ctx, campaign.Template{WorkspaceID: ws, Name: "welcome",
		Content: campaign.Content{Subject: "Hi", Text: "Hello"}}); err == nil {
		ids["template"] = id(tpl.ID)
	}
	if wh, err := a.Webhooks.Create(ctx, ws, "https://hooks.example.com/clearlist"); err == nil {
		ids["webhook"] = id(wh.ID)
	}
	return ids
}

// axeImport uploads a file with a bad row through the API (a River job imports it) and waits
// for it to finish, so that the import's page and its error report have something to show.
func axeImport(t *testing.T, a *App, base string) string {
	t.Helper()
	_, secret, err := a.Tokens.Create(audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"}), a.Workspace.ID, "axe-import", access.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	code, out := apiCall(t, "POST", base+"/api/v1/imports?source_type=api", secret, "text/csv", "email\nimp1@example.com\nnot an address\n")
	var im struct{ ID int64 }
	if err := json.Unmarshal([]byte(out), &im); err != nil || im.ID == 0 {
		t.Fatalf("import: %d %s", code, out)
	}
	id := strconv.FormatInt(im.ID, 10)
	waitFor(t, func() bool {
		_, body := apiCall(t, "GET", base+"/api/v1/imports/"+id, secret, "", "")
		return strings.Contains(body, `"status":"done"`)
	})
	return id
}

// axeFailArgs is a job kind no worker handles.
type axeFailArgs struct{}

func (axeFailArgs) Kind() string { return "axe_unknown_kind" }

// axeUnsubToken is the token of an unsubscribe link for the contact (the public page /u/{token}).
func axeUnsubToken(t *testing.T, a *App, base, contactID string) string {
	t.Helper()
	links, err := a.Unsub.Links(context.Background(), a.Workspace.ID, base, "")
	if err != nil {
		t.Fatal(err)
	}
	id, _ := strconv.ParseInt(contactID, 10, 64)
	l, err := links.For(id, 1, "newsletter")
	if err != nil {
		t.Fatal(err)
	}
	return l.Token
}
