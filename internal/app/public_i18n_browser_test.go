package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBrowserArabicRTL opens the public pages in Arabic in a real browser: the switch sets
// the language (kept by its cookie for the next page), the page is right to left and its
// layout really mirrors (heading text and checkbox on the right, the switch packed to the
// left), a sign-up is answered in Arabic, and the preferences link of an e-mail (?choose=1)
// lists the workspace's purposes and stops the one ticked. Screenshots of both pages are
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
	must(chromedp.Navigate(l.Preferences), chromedp.WaitVisible(css(`input[type=checkbox][value=newsletter]`)))
	if got := mirrored(); got != "ar rtl heading-right switch-rtl box-right" {
		t.Fatalf("Arabic preferences page: %s", got)
	}
	if h, body := text(`h1`), text(`main`); h != "تفضيلات بريدك الإلكتروني" || !strings.Contains(body, "l***@e***.com") || !strings.Contains(body, "the regular newsletter") || !strings.Contains(body, "إلغاء الاشتراك في جميع رسائلنا") {
		t.Fatalf("preferences: %q %q", h, body)
	}
	shoot("public-preferences-ar")
	must(chromedp.Click(css(`input[type=checkbox][value=newsletter]`)), chromedp.Click(css(`main button[type=submit]`)),
		chromedp.Sleep(300*time.Millisecond), chromedp.WaitVisible(css(`h1`)))
	if h := text(`h1`); h != "تم إلغاء اشتراكك" {
		t.Fatalf("after the choice: %q (%s)", h, text(`body`))
	}
	checkEligible(t, a, "layla@example.com", "newsletter", false)
	checkEligible(t, a, "layla@example.com", "surveys", true)
}

// TestBrowserEmbeddedSnippet: the snippets from GET /api/v1/forms/snippet, pasted into a page
// of another site that the workspace allows (public.cors_origins). The form posts to the JSON
// sign-up API with CORS and shows the answer in its language; the evidence holds the wording
// shown. The frame shows the subscribe page in its language; a sign-up sent from inside it
// passes the cross-origin protection (the frame posts to its own origin) and is answered in
// the frame. A site that is not allowed gets no form in the frame.
func TestBrowserEmbeddedSnippet(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	publicList(t, a.st, a.Workspace.ID, "news")
	base, stop := startServer(t, a)
	defer stop()
	_, secret, err := a.st.CreateTokenWithRole(context.Background(), a.Workspace.ID, "site", store.RoleMarketer)
	if err != nil {
		t.Fatal(err)
	}
	var snippet string
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><html lang=en><title>Shop</title><h1>Our shop</h1>%s", snippet)
	}))
	defer site.Close()
	// localhost is another site than 127.0.0.1, where the server runs.
	siteURL := strings.Replace(site.URL, "127.0.0.1", "localhost", 1)
	if err := a.Workspaces.SetSetting(context.Background(), a.Workspace.ID, SettingCORSOrigins, siteURL); err != nil {
		t.Fatal(err)
	}
	get := func(query string) signup.Snippet {
		t.Helper()
		code, body := apiCall(t, "GET", base+"/api/v1/forms/snippet?"+query, secret, "", "")
		var sn signup.Snippet
		if err := json.Unmarshal([]byte(body), &sn); code != 200 || err != nil || len(sn.Origins) != 1 || sn.Origins[0] != siteURL {
			t.Fatalf("snippet: %d %s", code, body)
		}
		return sn
	}
	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}

	// The form: posted by its script to the JSON API (CORS), answered in Polish on the page,
	// with the wording the visitor saw and the site's page in the evidence.
	snippet = get("list=news&lang=pl").HTML
	tab.must(chromedp.Navigate(siteURL+"/form"), chromedp.WaitVisible(css(`form.clearlist-signup input[name=email]`)),
		chromedp.SendKeys(css(`input[name=email]`), "pasted@example.com"),
		chromedp.Click(css(`input[value=newsletter]`)),
		chromedp.Click(css(`form.clearlist-signup button`)))
	answer := ""
	for i := 0; i < 50 && answer == ""; i++ {
		time.Sleep(100 * time.Millisecond)
		answer = tab.text(`.clearlist-answer`)
	}
	if !strings.HasPrefix(answer, "Dziękujemy. Wysłaliśmy Ci e-mail") {
		t.Fatalf("answer on the site's page: %q", answer)
	}
	// The confirmation e-mail is in the form's language too.
	if m := readLangOutbox(t, filepath.Join(a.Cfg.DataDir, "outbox"), "pasted@example.com"); m.subject != "Potwierdź swoją subskrypcję" || m.lang != "pl" || !strings.HasSuffix(m.link, "&lang=pl") {
		t.Fatalf("confirmation e-mail of the pasted form: %+v", m)
	}
	pc, err := a.st.ContactByEmail(context.Background(), a.Workspace.ID, "pasted@example.com")
	if err != nil {
		t.Fatal(err)
	}
	st, err := a.st.ConsentState(context.Background(), a.Workspace.ID, pc.ID, "newsletter", consent.Email)
	if err != nil || st.Entry == nil || !strings.HasPrefix(st.Entry.Evidence.Wording, "Tak, chcę otrzymywać e-mailem: ") ||
		st.Entry.Evidence.FormID != signup.SnippetFormID {
		t.Fatalf("evidence of the pasted form: %+v, %v", st.Entry, err)
	}
	if src, err := a.st.Source(context.Background(), a.Workspace.ID, st.Entry.SourceID); err != nil || !strings.Contains(fmt.Sprint(src.Evidence), siteURL+"/form") {
		t.Fatalf("source of the pasted form: %+v, %v", src, err)
	}

	// The frame.
	snippet = get("list=news&lang=de&kind=frame").HTML

	frame := func() context.Context {
		t.Helper()
		for range 50 {
			infos, err := chromedp.Targets(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, info := range infos {
				if info.Type == "iframe" && strings.HasPrefix(info.URL, base+"/subscribe/default") {
					fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
					t.Cleanup(cancel)
					return fctx
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatal("no frame of the subscribe page")
		return nil
	}
	tab.must(chromedp.Navigate(siteURL+"/"), chromedp.WaitVisible(css(`iframe`)))
	ftab := browserTab{t, frame()}
	ftab.must(chromedp.WaitVisible(css(`input[name=email]`)))
	if h := ftab.text(`h1`); h != "Abonnieren" {
		t.Fatalf("frame heading: %q", h)
	}
	// Filled by script through the DevTools protocol: mouse and key events do not reach a
	// frame of another site from the page's tab.
	if _, err := chromedp.Run(ftab.ctx, chromedp.Evaluate[bool](`(() => { const f = document.querySelector('main form');
		f.email.value = 'framed@example.com'; f.querySelector('input[value=newsletter]').checked = true; f.requestSubmit(); return true })()`)); err != nil {
		t.Fatal(err)
	}
	ftab.must(chromedp.Sleep(500*time.Millisecond), chromedp.WaitVisible(css(`h1`)))
	if h := ftab.text(`h1`); h != "Bitte sehen Sie in Ihr Postfach" {
		t.Fatalf("after signing up in the frame: %q", h)
	}
	if _, err := a.st.ContactByEmail(context.Background(), a.Workspace.ID, "framed@example.com"); err != nil {
		t.Fatalf("the framed sign-up: %v", err)
	}

	// Another site: the server refuses to be framed there.
	if err := a.Workspaces.SetSetting(context.Background(), a.Workspace.ID, SettingCORSOrigins, "https://www.shop.example"); err != nil {
		t.Fatal(err)
	}
	tab.must(chromedp.Navigate(siteURL+"/?again"), chromedp.WaitVisible(css(`iframe`)), chromedp.Sleep(500*time.Millisecond))
	infos, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, info := range infos {
		if info.Type == "iframe" && strings.HasPrefix(info.URL, base) {
			fctx, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(info.TargetID))
			v, err := chromedp.Run(fctx, chromedp.Evaluate[string](`location.href + ' ' + document.querySelectorAll('input[name=email]').length`))
			cancel()
			if err != nil || !strings.HasSuffix(v, " 0") {
				t.Fatalf("the form shows in a frame of a site not allowed: %q, %v", v, err)
			}
			seen = true
		}
	}
	if !seen {
		t.Fatal("the refused frame was not found")
	}
}
