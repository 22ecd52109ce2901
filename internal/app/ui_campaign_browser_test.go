package app

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBrowserCampaignEditor walks a campaign from the editor to the end of its send in a real
// browser, as a marketer: create it in the editor, preview it as a contact (the HTML in a
// sandboxed frame), pass the pre-flight (no relay: the development outbox, so the sender
// checks do not block), start it, and watch the progress htmx polls reach finished while the
// send jobs write the messages to the outbox. Each step is saved as a screenshot in the
// test's temp dir (and in $CLEARLIST_SCREENSHOTS when set).
func TestBrowserCampaignEditor(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	a.Campaigns = a.newCampaigns() // the send jobs and the test write to this data folder's outbox
	actx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	ws := a.Workspace.ID
	if _, err := a.Users.Add(actx, "marketer@example.com", "Mia", "a long enough passphrase", ws, access.RoleMarketer); err != nil {
		t.Fatal(err)
	}
	for k, v := range map[string]string{"sender.name": "Example Ltd", "sender.postal_address": "1 High St, London"} {
		if err := a.Workspaces.SetSetting(actx, ws, k, v); err != nil {
			t.Fatal(err)
		}
	}
	src, err := a.st.CreateSource(actx, contact.Source{WorkspaceID: ws, Type: "web-form-double-opt-in", Description: "sign-up form"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := a.st.CreateList(actx, contact.List{WorkspaceID: ws, Name: "newsletter"})
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{"ada@example.com", "grace@example.org", "linus@mail.example"} {
		c, err := a.st.CreateContact(actx, contact.Contact{WorkspaceID: ws, Email: addr, EmailCanonical: addr, Country: "DE",
			FirstSourceID: src.ID, Status: contact.StatusActive, Attrs: map[string]any{"first_name": strings.Split(addr, "@")[0]}}, []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}
		ledger(t, a, c, "newsletter", consent.Email, "gc")
	}
	base, stop := startServer(t, a)
	defer stop()
	waitFor(t, func() bool { // serve's job client is up: the start enqueues on it
		a.queue.mu.Lock()
		defer a.queue.mu.Unlock()
		return a.queue.serve != nil
	})

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
	shoot := tab.shooter()
	must(chromedp.EmulateViewport(1024, 800))
	must(chromedp.Navigate(base+"/ui/campaigns"), chromedp.WaitVisible(css(`#email`)))
	must(chromedp.SendKeys(css(`#email`), "marketer@example.com"), chromedp.SendKeys(css(`#password`), "a long enough passphrase"),
		chromedp.Click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`#whoami`)))
	must(chromedp.Click(css(`nav a[href="/ui/campaigns"]`)), chromedp.WaitVisible(css(`#new-campaign`)))

	// The editor: a refusal first (no list picked), shown next to its field, then the save.
	must(chromedp.Click(css(`#new-campaign`)), chromedp.WaitVisible(css(`#name`)))
	must(chromedp.SendKeys(css(`#name`), "Winter news"), chromedp.SetValue(css(`#purpose`), "newsletter"),
		chromedp.SendKeys(css(`#from_name`), "News"), chromedp.SendKeys(css(`#from_address`), "news@example.org"),
		chromedp.SendKeys(css(`#subject`), "Hello {{.Contact.first_name}}"),
		chromedp.SetValue(css(`#html`), `<h1>Winter news</h1><p>Hello {{.Contact.first_name}}, <a href="https://shop.example/">see the shop</a>.</p>`),
		chromedp.Click(css(`#save`)), chromedp.WaitVisible(css(`#lists-error`)))
	if msg := text(`#lists-error`); !strings.Contains(msg, "list") {
		t.Fatalf("refusal by the lists: %q", msg)
	}
	shoot("campaign-editor-error")
	must(chromedp.Click(css(`#list-`+strconv.FormatInt(l.ID, 10))), chromedp.Click(css(`#save`)), chromedp.WaitVisible(css(`#done`)))
	if st := text(`#campaign-state`); st != "draft" {
		t.Fatalf("after the save: %q", st)
	}
	shoot("campaign-manage")

	// Preview as a contact.
	must(chromedp.SendKeys(css(`#preview-email`), "grace@example.org"), chromedp.Click(css(`#preview`)),
		chromedp.WaitVisible(css(`#preview-subject`)))
	if s := text(`#preview-subject`); s != "Hello grace" {
		t.Fatalf("preview subject: %q", s)
	}
	attr := func(sel, name string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`String(document.querySelector('`+sel+`').getAttribute('`+name+`'))`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if sandbox, srcdoc := attr("#preview-html", "sandbox"), attr("#preview-html", "srcdoc"); sandbox != "" ||
		!strings.Contains(srcdoc, "<p>Hello grace,") || !strings.Contains(srcdoc, "Example Ltd") {
		t.Fatalf("preview frame: sandbox %q, srcdoc %q", sandbox, srcdoc)
	}
	if txt := text(`#preview-text`); !strings.Contains(txt, "Hello grace") {
		t.Fatalf("preview text part: %q", txt)
	}
	shoot("campaign-preview")

	// The pre-flight passes; start from it.
	must(chromedp.Click(css(`main a[href$="/manage"]`)), chromedp.WaitVisible(css(`#preflight`)))
	must(chromedp.Click(css(`#preflight`)), chromedp.WaitVisible(css(`#ready`)))
	if n := text(`#eligible`); n != "3" {
		t.Fatalf("pre-flight audience: %q", n)
	}
	if !strings.Contains(text(`#outbox`), "development outbox") {
		t.Fatalf("pre-flight without a relay says nothing of the outbox")
	}
	shoot("campaign-preflight")
	must(chromedp.Click(css(`#start`)), chromedp.WaitVisible(css(`#progress-state`)))

	// The progress fragment polls until the send jobs are done.
	deadline := time.Now().Add(20 * time.Second)
	for tab.live(`#progress-state`) != "finished" {
		if time.Now().After(deadline) {
			t.Fatalf("progress after 20 s: %q", text(`#progress`))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if sent := text(`#progress-sent`); sent != "3" {
		t.Fatalf("progress sent %q", sent)
	}
	shoot("campaign-progress")
	files, err := os.ReadDir(filepath.Join(a.Cfg.DataDir, "outbox"))
	if err != nil || len(files) != 3 {
		t.Fatalf("outbox: %d files, %v", len(files), err)
	}
	// Polling stopped: the fragment has no polling attributes any more.
	if polls := attr("#progress", "hx-trigger"); polls != "null" {
		t.Errorf("the finished campaign's progress still polls: hx-trigger %q", polls)
	}

	// On a phone-sized screen nothing runs off the side.
	manage, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{manage, "/ui/campaigns/new", strings.Replace(manage, "/manage", "/preview?email=ada%40example.com", 1), "/ui/templates"} {
		must(chromedp.EmulateViewport(390, 800), chromedp.Navigate(base+path), chromedp.WaitVisible(css(`#whoami`)))
		over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil || over {
			t.Errorf("%s at 390 px: wider than the screen (%v)", path, err)
		}
	}
}
