package app

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBrowserArabicRTL opens the public pages in Arabic in a real browser: the switch sets
// the language (kept by its cookie for the next page), the page is right to left and its
// layout really mirrors (heading text and checkbox on the right, the switch packed to the
// left), a sign-up is answered in Arabic, and the preferences link of an e-mail (?choose=1)
// asks for a choice and unsubscribes from the one purpose. Screenshots of both pages are
// saved (and into $CLEARLIST_SCREENSHOTS when set).
func TestBrowserArabicRTL(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	publicList(t, a.st, a.Workspace.ID, "news")
	c := unsubContact(t, a, "layla@example.com")
	base, stop := startServer(t, a)
	defer stop()

	shots := []string{t.TempDir()}
	if dir := os.Getenv("CLEARLIST_SCREENSHOTS"); dir != "" {
		shots = append(shots, dir)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
	shoot := func(name string) {
		t.Helper()
		// The viewport, not FullScreenshot: Chromium captures a right-to-left page's full
		// size from the wrong origin.
		png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		for _, dir := range shots {
			if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("screenshot %s.png in %v", name, shots)
	}
	// mirrored reports the page's lang and dir, and whether its layout runs right to left.
	mirrored := func() string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
			const h = document.querySelector('h1'), main = document.querySelector('main'), r = document.createRange();
			r.selectNodeContents(h);
			const lis = document.querySelectorAll('nav.langs li');
			const box = document.querySelector('label.box input'), words = document.querySelector('label.box span');
			return [document.documentElement.lang, document.documentElement.dir,
				Math.abs(r.getBoundingClientRect().right - main.getBoundingClientRect().right) < 2 ? 'heading-right' : 'heading-left',
				lis[0].getBoundingClientRect().left > lis[lis.length-1].getBoundingClientRect().left ? 'switch-rtl' : 'switch-ltr',
				box && words ? (box.getBoundingClientRect().left > words.getBoundingClientRect().left ? 'box-right' : 'box-left') : 'no-box'].join(' ');
		})()`))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	must(chromedp.EmulateViewport(820, 720))
	must(chromedp.Navigate(base+"/subscribe/default?list=news&lang=ar"), chromedp.WaitVisible(css(`input[name=email]`)))
	if got := mirrored(); got != "ar rtl heading-right switch-rtl box-right" {
		t.Fatalf("Arabic subscribe page: %s", got)
	}
	if h := text(`h1`); h != "الاشتراك" {
		t.Fatalf("heading: %q", h)
	}
	shoot("public-subscribe-ar")
	// The cookie keeps Arabic without ?lang=; the switch goes back to English, left to right.
	must(chromedp.Navigate(base+"/subscribe/default?list=news"), chromedp.WaitVisible(css(`input[name=email]`)))
	if got := mirrored(); !strings.HasPrefix(got, "ar rtl") {
		t.Fatalf("with the cookie: %s", got)
	}
	must(chromedp.Click(css(`nav.langs a[hreflang=en]`)), chromedp.Sleep(200*time.Millisecond), chromedp.WaitVisible(css(`input[name=email]`)))
	if got := mirrored(); got != "en ltr heading-left switch-ltr box-left" {
		t.Fatalf("after the switch to English: %s", got)
	}
	must(chromedp.Click(css(`nav.langs a[hreflang=ar]`)), chromedp.Sleep(200*time.Millisecond), chromedp.WaitVisible(css(`input[name=email]`)))
	must(chromedp.SendKeys(css(`input[name=email]`), "noor@example.com"),
		chromedp.Click(css(`input[value=newsletter]`)),
		chromedp.Submit(css(`main form`)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.WaitVisible(css(`h1`)))
	if h := text(`h1`); h != "يُرجى التحقق من بريدك الوارد" {
		t.Fatalf("after signing up: %q (%s)", h, text(`body`))
	}

	links, err := a.Unsub.Links(context.Background(), a.Workspace.ID, base, "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := links.For(c.ID, 5, "newsletter")
	if err != nil {
		t.Fatal(err)
	}
	must(chromedp.Navigate(l.Preferences), chromedp.WaitVisible(css(`input[type=radio][value=purpose]`)))
	if got := mirrored(); got != "ar rtl heading-right switch-rtl box-right" {
		t.Fatalf("Arabic preferences page: %s", got)
	}
	if h, body := text(`h1`), text(`main`); h != "تفضيلات بريدك الإلكتروني" || !strings.Contains(body, "l***@e***.com") || !strings.Contains(body, "رسائل «newsletter» فقط") {
		t.Fatalf("preferences: %q %q", h, body)
	}
	shoot("public-preferences-ar")
	must(chromedp.Click(css(`input[type=radio][value=purpose]`)), chromedp.Click(css(`main button[type=submit]`)),
		chromedp.Sleep(300*time.Millisecond), chromedp.WaitVisible(css(`h1`)))
	if h := text(`h1`); h != "تم إلغاء اشتراكك" {
		t.Fatalf("after the choice: %q (%s)", h, text(`body`))
	}
	checkEligible(t, a, "layla@example.com", "newsletter", false)
	checkEligible(t, a, "layla@example.com", "surveys", true)
}
