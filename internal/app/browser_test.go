package app

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// browserTab is a test's handle on the browser: a step that fails fails the test.
type browserTab struct {
	t   *testing.T
	ctx context.Context
}

// text returns the text of the element sel (CSS).
func (b browserTab) text(sel string) string {
	b.t.Helper()
	// Wait for the element, then read it in one script: a page that swaps its DOM between a
	// node look-up and the read (an htmx swap, the redirect after a sign-in) cannot leave a
	// stale node id ("No node with given id found").
	if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS(sel))); err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(`document.querySelector(%q).innerText`, sel)))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return v
}

// must runs the steps.
func (b browserTab) must(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

// browser starts headless Chromium (Debian's chromium) for the public pages, or skips when
// it is not installed — unless CLEARLIST_REQUIRE_BROWSER=1 (CI), where that is a failure.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("CLEARLIST_REQUIRE_BROWSER") == "1" {
			t.Fatal("no chromium found and CLEARLIST_REQUIRE_BROWSER=1: install Debian's chromium")
		}
		t.Skip("no chromium on this machine: browser tests skipped (apt-get install chromium)")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancel := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil { // starts the browser; no timeout on this first call
		cancel()
		cancelAlloc()
		t.Fatalf("start chromium: %v", err)
	}
	ctx, cancelTimeout := context.WithTimeout(bctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

// outboxLink returns the confirmation link of the one mail in the outbox.
func outboxLink(t *testing.T, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*.eml"))
	if len(files) != 1 {
		t.Fatalf("outbox: %v", files)
	}
	f, err := os.Open(files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(quotedprintable.NewReader(f))
	if err != nil {
		t.Fatal(err)
	}
	link := linkRE.FindString(string(b))
	if link == "" {
		t.Fatalf("no confirmation link in\n%s", b)
	}
	return link
}

// TestBrowserPublicPages drives the public pages in a real browser: the subscribe form shows
// every box unticked, a sign-up is confirmed with the button on the confirm page (recording
// the browser's user agent), and the stop form suppresses the address at once.
func TestBrowserPublicPages(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	publicList(t, a.st, a.Workspace.ID, "news")
	base, stop := startServer(t, a)
	defer stop()

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
	must(chromedp.Navigate(base+"/subscribe/default"), chromedp.WaitVisible(css(`input[name=email]`)))
	ticked, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('input[type=checkbox]')].filter(b => b.checked).length`))
	if err != nil || ticked != 0 {
		t.Fatalf("subscribe page: %d boxes pre-ticked, %v", ticked, err)
	}
	must(chromedp.SendKeys(css(`input[name=email]`), "Browser.User@Example.com"),
		chromedp.Click(css(`input[value=newsletter]`)),
		chromedp.Submit(css(`form`)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.WaitVisible(css(`h1`)))
	if title := text(`h1`); title != "Please check your inbox" {
		t.Fatalf("after subscribing: %q", title)
	}
	must(chromedp.Navigate(outboxLink(t, a.Cfg.DataDir)),
		chromedp.WaitVisible(css(`button`)),
		chromedp.Click(css(`button`)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.WaitVisible(css(`h1`)))
	title := text(`h1`)
	c, err := a.st.ContactByEmail(context.Background(), a.Workspace.ID, "browser.user@example.com")
	if err != nil {
		t.Fatalf("confirm page said %q; contact: %v", title, err)
	}
	st, err := a.st.ConsentState(context.Background(), a.Workspace.ID, c.ID, "newsletter", consent.Email)
	if err != nil || st.State != consent.StateConfirmed || !strings.Contains(st.Entry.Evidence.UserAgent, "Chrome") {
		t.Fatalf("after the confirm button (page %q): %+v, %v", title, st, err)
	}

	must(chromedp.Navigate(base+"/stop/default"),
		chromedp.WaitVisible(css(`input[name=value]`)),
		chromedp.SendKeys(css(`input[name=value]`), "browser.user@example.com"),
		chromedp.Submit(css(`form`)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.WaitVisible(css(`p`)))
	if msg := text(`p`); !strings.Contains(msg, "takes effect now") {
		t.Fatalf("stop page: %q", msg)
	}
	checkContactable(t, a, a.Workspace.ID, "Browser.User@example.com", "email", "newsletter", false)
}

// shooter returns a function that saves a full-page screenshot of the tab as NAME.png in the
// test's temp dir and in $CLEARLIST_SCREENSHOTS when set.
func (b browserTab) shooter() func(name string) {
	dirs := []string{b.t.TempDir()}
	if dir := os.Getenv("CLEARLIST_SCREENSHOTS"); dir != "" {
		dirs = append(dirs, dir)
	}
	return func(name string) {
		b.t.Helper()
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		for _, dir := range dirs {
			if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
				b.t.Fatal(err)
			}
		}
		b.t.Logf("screenshot %s.png in %v", name, dirs)
	}
}

// login signs in to the admin UI at base with the login form and waits for the dashboard.
func (b browserTab) login(base, email, password string) {
	b.t.Helper()
	b.must(chromedp.Navigate(base+"/ui/"), chromedp.WaitVisible(chromedp.CSS(`#email`)))
	b.must(chromedp.SendKeys(chromedp.CSS(`#email`), email), chromedp.SendKeys(chromedp.CSS(`#password`), password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`#whoami`)))
}

// live returns the trimmed text of the element sel (CSS), or "" when there is none at this
// moment: for a fragment htmx polls, whose node a swap replaces between a wait and a read
// (text would fail with "No node with given id found").
func (b browserTab) live(sel string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector(`+strconv.Quote(sel)+`)?.textContent.trim() ?? ""`))
	if err != nil {
		b.t.Fatalf("read %s: %v", sel, err)
	}
	return v
}
