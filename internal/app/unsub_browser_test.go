package app

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBrowserUnsubscribe drives the unsubscribe page in a real browser: it shows the masked
// address and both choices; "this kind of message" unsubscribes from the purpose only (with
// the browser's user agent as evidence), and the result page's "everything too" from the rest.
func TestBrowserUnsubscribe(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	c := unsubContact(t, a, "rosa@example.de")
	base, stop := startServer(t, a)
	defer stop()
	links, err := a.Unsub.Links(context.Background(), a.Workspace.ID, base, "")
	if err != nil {
		t.Fatal(err)
	}
	l, err := links.For(c.ID, 5, "newsletter")
	if err != nil {
		t.Fatal(err)
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}
	text, must := tab.text, tab.must
	must(chromedp.Navigate(l.HTTPS), chromedp.WaitVisible(css(`button[value=purpose]`)))
	if body := text(`body`); !strings.Contains(body, "r***@e***.de") || !strings.Contains(body, "Unsubscribe from newsletter e-mails") {
		t.Fatalf("page: %q", body)
	}
	must(chromedp.Click(css(`button[value=purpose]`)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.WaitVisible(css(`h1`)))
	if h := text(`h1`); h != "You are unsubscribed" {
		t.Fatalf("after the purpose button: %q (%s)", h, text(`body`))
	}
	checkEligible(t, a, "rosa@example.de", "newsletter", false)
	checkEligible(t, a, "rosa@example.de", "surveys", true)
	entries, err := a.Suppressions.SuppressionsFor(context.Background(), a.Workspace.ID, "email", "rosa@example.de")
	if err != nil || len(entries) != 1 || !strings.Contains(entries[0].Note, "Chrome") || entries[0].ChannelIn != "web" {
		t.Fatalf("entries after the purpose button: %+v, %v", entries, err)
	}
	must(chromedp.Click(css(`button[value=all]`)),
		chromedp.Sleep(300*time.Millisecond),
		chromedp.WaitVisible(css(`h1`)))
	if p := text(`p`); !strings.Contains(p, "no more e-mails from us") {
		t.Fatalf("after the everything button: %q", p)
	}
	checkEligible(t, a, "rosa@example.de", "surveys", false)
}
