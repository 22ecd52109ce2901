package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBrowserImportUpload imports a file through the admin UI in a real browser: sign in,
// open Imports, fill the upload form (the file, the source type, a list, an evidence box),
// start the import, watch its page follow the River job (htmx polling) until it says
// finished, and open the error report with the refused row. Screenshots of the form, the
// finished import and the report are saved (and in $CLEARLIST_SCREENSHOTS when set).
func TestBrowserImportUpload(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	actx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	if _, err := a.Users.Add(actx, "owner@example.com", "Owner", "a long enough passphrase", a.Workspace.ID, access.RoleOwner); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "fair-leads.csv")
	if err := os.WriteFile(file, []byte("email\nada@example.com\ngrace@example.org\nnot-an-address\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base, stop := startServer(t, a)
	defer stop()

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
	shoot := tab.shooter()
	must(chromedp.EmulateViewport(1024, 700))
	tab.login(base, "owner@example.com", "a long enough passphrase")
	must(chromedp.Click(css(`nav a[href="/ui/imports"]`)), chromedp.WaitVisible(css(`#new-import`)))
	must(chromedp.Click(css(`#new-import`)), chromedp.WaitVisible(css(`#f-file`)))
	must(chromedp.SetUploadFiles(css(`#f-file`), []string{file}),
		chromedp.SetValue(css(`#f-source_type`), "web-form-double-opt-in"),
		chromedp.SendKeys(css(`#f-list`), "fair"),
		chromedp.Click(css(`#f-ev_double_opt_in`)))
	shoot("import-form")
	must(chromedp.Click(css(`#start-import`)), chromedp.WaitVisible(css(`#import-state`)))

	// The page is not reloaded: htmx swaps the progress in place until the job has finished.
	deadline, polls := time.Now().Add(15*time.Second), 0
	for state := tab.live(`#import-state`); !strings.Contains(state, "finished"); state = tab.live(`#import-state`) {
		if strings.Contains(state, "failed") || time.Now().After(deadline) {
			t.Fatalf("import state %q; the page says:\n%s", state, text(`main`))
		}
		polls++
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("the page said running for %d looks before it said finished", polls)
	if got := text(`#rows-read`); got != "3" {
		t.Errorf("rows read: %q", got)
	}
	if got := text(`#rows-rejected`); got != "1" {
		t.Errorf("rows rejected: %q", got)
	}
	if got := text(`#import-facts`); !strings.Contains(got, "user owner@example.com") || !strings.Contains(got, "fair") {
		t.Errorf("import facts: %q", got)
	}
	shoot("import-finished")

	must(chromedp.Click(css(`#error-report`)), chromedp.WaitVisible(css(`#report`)))
	if got := text(`#report tbody`); !strings.Contains(got, "not-an-address") || !strings.Contains(got, "invalid e-mail address") {
		t.Fatalf("error report: %q", got)
	}
	shoot("import-errors")

	must(chromedp.Click(css(`nav a[href="/ui/lists"]`)), chromedp.WaitVisible(css(`#lists`)))
	if got := text(`#lists tbody`); !strings.Contains(got, "fair") || !strings.Contains(got, "2") {
		t.Errorf("lists after the import: %q", got)
	}
	shoot("lists")
}
