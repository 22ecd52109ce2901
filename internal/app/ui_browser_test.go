package app

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBrowserLogin signs in to the admin UI in a real browser: / leads to the login page, a
// wrong password is refused on the page, the right one shows the dashboard with the user,
// role and workspace, and signing out leads back to the login page.
func TestBrowserLogin(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	actx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	if _, err := a.Users.Add(actx, "owner@example.com", "Owner", "a long enough passphrase", a.Workspace.ID, access.RoleOwner); err != nil {
		t.Fatal(err)
	}
	base, stop := startServer(t, a)
	defer stop()
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return v
	}
	must := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	must(chromedp.Navigate(base+"/"), chromedp.WaitVisible(css(`#email`)))
	must(chromedp.SendKeys(css(`#email`), "owner@example.com"), chromedp.SendKeys(css(`#password`), "not the password"),
		chromedp.Click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`#login-error`)))
	if msg := text(`#login-error`); !strings.Contains(msg, "wrong e-mail, password or code") {
		t.Fatalf("wrong password: %q", msg)
	}
	must(chromedp.SendKeys(css(`#password`), "a long enough passphrase"),
		chromedp.Click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`#whoami`)))
	if who := text(`#whoami`); who != "Signed in as owner@example.com, role owner, workspace default." {
		t.Fatalf("dashboard: %q", who)
	}
	must(chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#email`)))
	must(chromedp.Navigate(base+"/ui/"), chromedp.WaitVisible(css(`#email`)))
}
