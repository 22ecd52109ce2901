package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBrowserImportCancel cancels an import from its page in a real browser: an import
// waiting for its job shows the Cancel button to an owner; clicking it (htmx, with the form's
// CSRF token) swaps the progress panel in place to "cancelled", naming who, without the
// button; the cancel is audited as the user. A read-only user sees no button.
func TestBrowserImportCancel(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	actx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	for email, role := range map[string]string{"owner@example.com": access.RoleOwner, "reader@example.com": access.RoleReadOnly} {
		if _, err := a.Users.Add(actx, email, "", "a long enough passphrase", a.Workspace.ID, role); err != nil {
			t.Fatal(err)
		}
	}
	base, stop := startServer(t, a)
	defer stop()

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
	shoot := tab.shooter()
	must(chromedp.EmulateViewport(1024, 700))
	tab.login(base, "owner@example.com", "a long enough passphrase")
	// Recorded once the server serves (its start marks imports without a job failed): an
	// import waiting for its job.
	src, err := a.st.CreateSource(actx, contact.Source{WorkspaceID: a.Workspace.ID, Type: "api"})
	if err != nil {
		t.Fatal(err)
	}
	im, err := a.st.CreateImport(actx, store.Import{WorkspaceID: a.Workspace.ID, SourceID: src.ID, FileName: "queued.csv", OnConflict: "update"})
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("%s/ui/imports/%d", base, im.ID)
	must(chromedp.Navigate(page), chromedp.WaitVisible(css(`#import-state`)))
	if got := text(`#import-state`); !strings.Contains(got, "running") || tab.live(`#cancel-import`) == "" {
		t.Fatalf("import state before the cancel: %q; the page says:\n%s", got, text(`main`))
	}
	shoot("import-cancel-before")
	must(chromedp.Click(css(`#cancel-import`)))
	deadline := time.Now().Add(15 * time.Second)
	for state := tab.live(`#import-state`); !strings.Contains(state, "cancelled"); state = tab.live(`#import-state`) {
		if time.Now().After(deadline) {
			t.Fatalf("import state %q after the click; the page says:\n%s", state, text(`main`))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := text(`#cancelled-by`); got != "user owner@example.com" {
		t.Errorf("cancelled by: %q", got)
	}
	if tab.live(`#cancel-import`) != "" {
		t.Errorf("a cancelled import still shows its Cancel button")
	}
	shoot("import-cancelled")
	got, err := a.st.Import(actx, a.Workspace.ID, im.ID)
	if err != nil || got.Status != store.ImportCancelled {
		t.Fatalf("the import after the click: %+v, %v", got, err)
	}
	es, err := a.st.AuditEntries(actx, a.Workspace.ID, audit.Filter{Entity: "import"})
	if err != nil || len(es) != 1 || es[0].Action != "import.cancel" || es[0].Actor.Kind != audit.User {
		t.Fatalf("audit entries: %+v, %v; want one import.cancel by the user", es, err)
	}

	// A role that may not cancel sees the page without the button.
	im2, err := a.st.CreateImport(actx, store.Import{WorkspaceID: a.Workspace.ID, SourceID: src.ID, FileName: "other.csv", OnConflict: "update"})
	if err != nil {
		t.Fatal(err)
	}
	must(chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#email`)))
	tab.login(base, "reader@example.com", "a long enough passphrase")
	must(chromedp.Navigate(fmt.Sprintf("%s/ui/imports/%d", base, im2.ID)), chromedp.WaitVisible(css(`#import-state`)))
	if tab.live(`#cancel-import`) != "" || !strings.Contains(text(`#import-state`), "running") {
		t.Errorf("a read-only user is shown the Cancel button")
	}
}
