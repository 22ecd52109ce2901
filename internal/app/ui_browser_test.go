package app

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
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
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
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

// TestBrowserAdminPages walks the admin UI in a real browser: sign in, the dashboard, a
// search by e-mail, the contact's page with its eligibility per purpose, and a campaign's
// report with its charts. Each page is saved as a screenshot in the test's temp dir (and in
// $CLEARLIST_SCREENSHOTS when set: docs/screenshots holds two of them). The pages fit a phone-sized
// screen, and the first Tab reaches the skip link.
func TestBrowserAdminPages(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	actx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	if _, err := a.Users.Add(actx, "owner@example.com", "Owner", "a long enough passphrase", a.Workspace.ID, access.RoleOwner); err != nil {
		t.Fatal(err)
	}
	ws := a.Workspace.ID
	src, err := a.st.CreateSource(actx, contact.Source{WorkspaceID: ws, Type: "web-form-double-opt-in", Description: "newsletter sign-up form"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := a.st.CreateList(actx, contact.List{WorkspaceID: ws, Name: "newsletter"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i, addr := range []string{"ada@example.com", "grace@example.org", "linus@mail.example", "joan@example.com"} {
		c, err := a.st.CreateContact(actx, contact.Contact{WorkspaceID: ws, Email: addr, EmailCanonical: addr, Country: "DE",
			FirstSourceID: src.ID, Status: contact.StatusActive, Attrs: map[string]any{"first_name": strings.Split(addr, "@")[0]}}, []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		if i < 3 {
			ledger(t, a, c, "newsletter", consent.Email, "gc")
		}
	}
	now := time.Now().UTC()
	cp, err := a.st.CreateCampaign(actx, campaign.Campaign{WorkspaceID: ws, Name: "December news", Purpose: "newsletter", Channel: "email",
		Lists: []int64{l.ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"},
		State: campaign.Draft, Workers: 1, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	snap := make([]campaign.Snapshot, len(ids))
	outs := make([]campaign.Outcome, len(ids))
	for i, id := range ids {
		snap[i] = campaign.Snapshot{ContactID: id, State: campaign.Queued}
		outs[i] = campaign.Outcome{ContactID: id, State: campaign.Sent, MessageID: fmt.Sprintf("m%d@x", i), Attempted: true, At: now}
	}
	outs[3].State, outs[3].SMTPCode, outs[3].Reason = campaign.Failed, 550, "no such user"
	if err := a.st.WriteDeliveries(actx, ws, cp.ID, true, snap, now); err != nil {
		t.Fatal(err)
	}
	if _, err := a.st.ClaimCampaignDeliveries(actx, ws, cp.ID, "p", len(ids), now); err != nil {
		t.Fatal(err)
	}
	if err := a.st.RecordOutcomes(actx, ws, cp.ID, "p", outs); err != nil {
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
	if body := text(`main`); !strings.Contains(body, "December news") || !strings.Contains(body, "newsletter") {
		t.Fatalf("dashboard: %q", body)
	}
	shoot("dashboard")

	must(chromedp.Click(css(`nav a[href="/ui/contacts"]`)), chromedp.WaitVisible(css(`#search-email`)))
	// The listing's own #contacts is on screen until the answer arrives: wait until the
	// listing's other rows are gone.
	must(chromedp.SendKeys(css(`#search-email`), "grace@example.org"), chromedp.Click(css(`#search`)),
		chromedp.WaitNotPresent(css(fmt.Sprintf(`#contacts a[href="/ui/contacts/%d"]`, ids[0]))), chromedp.WaitVisible(css(`#contacts`)))
	if rows := text(`#contacts tbody`); !strings.Contains(rows, "grace@example.org") || strings.Contains(rows, "ada@example.com") {
		t.Fatalf("search: %q", rows)
	}
	shoot("contacts")
	must(chromedp.Click(css(`#contacts tbody a`)), chromedp.WaitVisible(css(`#contact-status`)))
	if got := text(`#elig-newsletter`); !strings.Contains(got, "newsletter: yes") {
		t.Fatalf("eligibility on the contact page: %q", got)
	}
	if got := text(`#consents`); !strings.Contains(got, "confirmed") {
		t.Fatalf("consent timeline: %q", got)
	}
	shoot("contact")

	must(chromedp.Click(css(`nav a[href="/ui/campaigns"]`)), chromedp.WaitVisible(css(`#campaigns`)))
	must(chromedp.Click(css(`#campaigns tbody a`)), chromedp.WaitVisible(css(`svg.chart`)))
	if st := text(`#campaign-state`); st != "draft" {
		t.Fatalf("campaign state: %q", st)
	}
	if got := text(`#domains`); !strings.Contains(got, "example.com") || !strings.Contains(got, "mail.example") {
		t.Fatalf("domains: %q", got)
	}
	shoot("campaign")

	// On a phone-sized screen nothing runs off the side: wide tables scroll in their own box.
	for _, path := range []string{"/ui/", "/ui/contacts", "/ui/campaigns"} {
		must(chromedp.EmulateViewport(390, 800), chromedp.Navigate(base+path), chromedp.WaitVisible(css(`#whoami`)))
		over, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
		if err != nil || over {
			t.Errorf("%s at 390 px: wider than the screen (%v)", path, err)
		}
	}
	shoot("campaigns-narrow")

	// The keyboard: the first Tab reaches the skip link, which leads past the navigation.
	must(chromedp.KeyEvent("\t"))
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.textContent`)); err != nil || got != "Skip to content" {
		t.Errorf("first Tab focuses %q (%v), want the skip link", got, err)
	}
	must(chromedp.KeyEvent("\r"))
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`)); err != nil || got != "content" {
		t.Errorf("the skip link leads to %q (%v), want main#content", got, err)
	}
}
