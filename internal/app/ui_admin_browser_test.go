package app

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/workspace"
)

// TestBrowserAdminSettings walks the settings and account pages in a real browser: an owner
// changes the postal address, makes an API token (its secret shown once, and it works) and
// adds a user; the new user turns on TOTP (QR code, a code from the key, recovery codes) and
// then signs in with a code, and again with a recovery code. Screenshots of each page go to
// the test's temp dir (and $CLEARLIST_SCREENSHOTS when set).
func TestBrowserAdminSettings(t *testing.T) {
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
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
	shoot := tab.shooter()
	signIn := func(email, password, code string) {
		t.Helper()
		must(chromedp.Navigate(base+"/login"), chromedp.WaitVisible(css(`#email`)),
			chromedp.SendKeys(css(`#email`), email), chromedp.SendKeys(css(`#password`), password))
		if code != "" {
			must(chromedp.SendKeys(css(`#code`), code))
		}
		must(chromedp.Click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`#whoami`)))
	}
	must(chromedp.EmulateViewport(1024, 760))
	signIn("owner@example.com", "a long enough passphrase", "")

	// The postal address, in the sender group's form.
	must(chromedp.Click(css(`nav a[href="/ui/settings"]`)), chromedp.WaitVisible(css(`#set-sender-postal_address`)),
		chromedp.SendKeys(css(`#set-sender-postal_address`), "Acme Ltd\n1 Main Street\nSpringfield"),
		chromedp.Click(css(`#group-sender button[type=submit]`)), chromedp.WaitVisible(css(`#group-sender .saved`)))
	if v, _, err := a.Workspaces.Setting(t.Context(), a.Workspace.ID, workspace.SettingPostalAddress); err != nil || v != "Acme Ltd, 1 Main Street, Springfield" {
		t.Fatalf("postal address %q, %v", v, err)
	}
	shoot("settings")

	// An API token: the secret is on the page once, and it authenticates.
	must(chromedp.Click(css(`.subnav a[href="/ui/settings/tokens"]`)), chromedp.WaitVisible(css(`#token-name`)),
		chromedp.SendKeys(css(`#token-name`), "crm-sync"), chromedp.SetValue(css(`#token-role`), "agent"),
		chromedp.Click(css(`form[action="/ui/settings/tokens"] button[type=submit]`)), chromedp.WaitVisible(css(`#token-secret`)))
	secret := text(`#token-secret`)
	if tok, err := a.Tokens.Authenticate(t.Context(), secret); err != nil || tok.Name != "crm-sync" || tok.Role != "agent" {
		t.Fatalf("the token shown: %+v, %v", tok, err)
	}
	shoot("tokens")

	// A user.
	must(chromedp.Click(css(`.subnav a[href="/ui/settings/users"]`)), chromedp.WaitVisible(css(`#user-email`)),
		chromedp.SendKeys(css(`#user-email`), "mia@example.com"), chromedp.SendKeys(css(`#user-name`), "Mia"),
		chromedp.SetValue(css(`#user-role`), "compliance"), chromedp.SendKeys(css(`#user-password`), "mia's long passphrase"),
		chromedp.Click(css(`#add-user button[type=submit]`)), chromedp.WaitVisible(css(`.saved`)))
	if got := text(`main table`); !strings.Contains(got, "mia@example.com") {
		t.Fatalf("users: %q", got)
	}
	shoot("users")
	must(chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#email`)))

	// The new user turns on TOTP.
	signIn("mia@example.com", "mia's long passphrase", "")
	must(chromedp.Click(css(`nav a[href="/ui/account"]`)), chromedp.WaitVisible(css(`#totp-setup`)),
		chromedp.Click(css(`#totp-setup`)), chromedp.WaitVisible(css(`svg.qr`)))
	key := text(`#totp-secret`)
	shoot("totp-setup")
	code, err := totp.GenerateCode(key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	must(chromedp.SendKeys(css(`#totp-code`), code), chromedp.Click(css(`#totp-enable`)), chromedp.WaitVisible(css(`#recovery`)))
	codes, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.recovery-code')].map(e => e.textContent)`))
	if err != nil || len(codes) != 10 {
		t.Fatalf("recovery codes: %v, %v", codes, err)
	}
	shoot("totp-recovery")
	must(chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#email`)))

	// A password alone no longer signs in; with a code it does, and with a recovery code.
	must(chromedp.SendKeys(css(`#email`), "mia@example.com"), chromedp.SendKeys(css(`#password`), "mia's long passphrase"),
		chromedp.Click(css(`button[type=submit]`)), chromedp.WaitVisible(css(`#login-error`)))
	code, err = totp.GenerateCode(key, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	signIn("mia@example.com", "mia's long passphrase", code)
	if who := text(`#whoami`); !strings.Contains(who, "mia@example.com, role compliance") {
		t.Fatalf("signed in with a code: %q", who)
	}
	must(chromedp.Click(css(`#logout`)), chromedp.WaitVisible(css(`#email`)))
	signIn("mia@example.com", "mia's long passphrase", codes[0])
	must(chromedp.Navigate(base+"/ui/account"), chromedp.WaitVisible(css(`#totp-setup`)))
	if got := text(`main`); !strings.Contains(got, "9 left") {
		t.Fatalf("account after a recovery code: %q", got)
	}
}
