package app

import (
	"context"
	"fmt"
	"html"
	"io"
	"log"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/security"
	"github.com/chromedp/chromedp"
	gomail "github.com/emersion/go-message/mail"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestBrowserEndToEnd is the whole story of issue 15 in one browser walk, as a user would
// go: sign in; import a file through the upload form and watch its progress to finished;
// create a campaign for the imported list in the editor, pass the pre-flight and start it
// (no relay: the development outbox); open the received messages (the .eml files the outbox
// wrote) and take the List-Unsubscribe https URL and the footer's unsubscribe link; press
// the button on the footer link's page for one recipient and send the RFC 8058 one-click POST
// for the other as a mail client would; then see in the admin UI both contacts suppressed
// (their do-not-contact entry, "newsletter: no") and the campaign's report counting 2
// unsubscribes. The server sits behind a TLS-terminating proxy, as in production, so the
// public URL is https and the messages carry the one-click header. Screenshots of each step
// are saved in the test's temp dir (and in $CLEARLIST_SCREENSHOTS when set).
func TestBrowserEndToEnd(t *testing.T) {
	ctx := browser(t)
	a := openApp(t, storetest.SQLiteDSN(t))
	a.Cfg.DataDir = t.TempDir()
	actx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	ws := a.Workspace.ID
	if _, err := a.Users.Add(actx, "owner@example.com", "Owner", "a long enough passphrase", ws, access.RoleOwner); err != nil {
		t.Fatal(err)
	}
	declare(t, a, "first_name")
	for k, v := range map[string]string{"sender.name": "Example Ltd", "sender.postal_address": "1 High St, London"} {
		if err := a.Workspaces.SetSetting(actx, ws, k, v); err != nil {
			t.Fatal(err)
		}
	}

	// The TLS-terminating proxy in front of the server: the public URL (links in the
	// messages, the admin UI) is its https address.
	var backend atomic.Pointer[url.URL] // the server's address, known once it listens
	proxy := httptest.NewUnstartedServer(&httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(backend.Load())
		r.SetXForwarded()
		r.Out.Host = r.In.Host
	}})
	proxy.Config.ErrorLog = log.New(io.Discard, "", 0) // chromium's first handshakes refuse the test certificate
	proxy.StartTLS()
	defer proxy.Close()
	a.Cfg.PublicURL = proxy.URL
	a.Campaigns = a.newCampaigns() // the send jobs write to this data folder's outbox, with https links
	base, stop := startServer(t, a)
	defer stop()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	backend.Store(u)
	waitFor(t, func() bool { // serve's job client is up: the start enqueues on it
		a.queue.mu.Lock()
		defer a.queue.mu.Unlock()
		return a.queue.serve != nil
	})
	public := proxy.URL

	css := func(s string) chromedp.CSS { return chromedp.CSS(s) }
	tab := browserTab{t, ctx}
	text, live, must, shoot := tab.text, tab.live, tab.must, tab.shooter()
	must(func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) { // the proxy's test certificate
		_, err := cdp.Call(ctx, tg, security.SetIgnoreCertificateErrors, security.SetIgnoreCertificateErrorsParams{Ignore: true})
		return chromedp.Void{}, err
	}, chromedp.EmulateViewport(1024, 800))

	// 1. Sign in.
	tab.login(public, "owner@example.com", "a long enough passphrase")
	shoot("e2e-1-dashboard")

	// 2. Import a file through the upload form and watch its progress to finished.
	at := time.Now().UTC().Add(-48 * time.Hour)
	csv := "email,first_name,consent_at,consent_wording,consent_confirmed_at\n"
	for _, p := range [][2]string{{"ada@example.com", "Ada"}, {"grace@example.org", "Grace"}} {
		csv += fmt.Sprintf("%s,%s,%s,\"Yes, send me the newsletter\",%s\n", p[0], p[1],
			at.Format(time.RFC3339), at.Add(10*time.Minute).Format(time.RFC3339))
	}
	file := filepath.Join(t.TempDir(), "winter-sign-ups.csv")
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	must(chromedp.Click(css(`nav a[href="/ui/imports"]`)), chromedp.WaitVisible(css(`#new-import`)))
	must(chromedp.Click(css(`#new-import`)), chromedp.WaitVisible(css(`#f-file`)))
	must(chromedp.SetUploadFiles(css(`#f-file`), []string{file}),
		chromedp.SetValue(css(`#f-source_type`), "web-form-double-opt-in"),
		chromedp.Click(css(`#f-ev_double_opt_in`)),
		chromedp.SetValue(css(`#f-consent_purpose`), "newsletter"),
		chromedp.SendKeys(css(`#f-list`), "winter"),
		chromedp.SendKeys(css(`#f-country`), "DE"))
	shoot("e2e-2-import-form")
	must(chromedp.Click(css(`#start-import`)), chromedp.WaitVisible(css(`#import-state, #form-error, .field-error`)))
	if refused := text(`main`); !strings.Contains(refused, "rows read") && strings.Contains(refused, "Upload and start") {
		t.Fatalf("the upload form refused the file:\n%s", refused)
	}
	deadline := time.Now().Add(15 * time.Second)
	for state := live(`#import-state`); !strings.Contains(state, "finished"); state = live(`#import-state`) {
		if strings.Contains(state, "failed") || time.Now().After(deadline) {
			t.Fatalf("import state %q; the page says:\n%s", state, text(`main`))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if read, rejected := text(`#rows-read`), text(`#rows-rejected`); read != "2" || rejected != "0" {
		t.Fatalf("import: %s rows read, %s rejected; the page says:\n%s", read, rejected, text(`main`))
	}
	shoot("e2e-3-import-finished")

	// 3. Create the campaign in the editor for the imported list.
	list, err := a.st.ListByName(t.Context(), ws, "winter")
	if err != nil {
		t.Fatalf("the import's list: %v", err)
	}
	must(chromedp.Click(css(`nav a[href="/ui/campaigns"]`)), chromedp.WaitVisible(css(`#new-campaign`)))
	must(chromedp.Click(css(`#new-campaign`)), chromedp.WaitVisible(css(`#name`)))
	must(chromedp.SendKeys(css(`#name`), "Winter news"), chromedp.SetValue(css(`#purpose`), "newsletter"),
		chromedp.SendKeys(css(`#from_name`), "News"), chromedp.SendKeys(css(`#from_address`), "news@example.org"),
		chromedp.SendKeys(css(`#subject`), "Hello {{.Contact.first_name}}"),
		chromedp.SetValue(css(`#html`), `<h1>Winter news</h1><p>Hello {{.Contact.first_name}}, <a href="https://shop.example/">see the shop</a>.</p>`),
		chromedp.Click(css(`#list-`+strconv.FormatInt(list.ID, 10))))
	shoot("e2e-4-campaign-editor")
	must(chromedp.Click(css(`#save`)), chromedp.WaitVisible(css(`#done`)))
	if st := text(`#campaign-state`); st != "draft" {
		t.Fatalf("after the save: %q", st)
	}

	// 4. Pass the pre-flight and start with the development outbox.
	must(chromedp.Click(css(`#preflight`)), chromedp.WaitVisible(css(`#ready`)))
	if n := text(`#eligible`); n != "2" {
		t.Fatalf("pre-flight audience: %q; the page says:\n%s", n, text(`main`))
	}
	if !strings.Contains(text(`#outbox`), "development outbox") {
		t.Fatalf("pre-flight without a relay says nothing of the outbox")
	}
	shoot("e2e-5-preflight")
	must(chromedp.Click(css(`#start`)), chromedp.WaitVisible(css(`#progress-state`)))
	deadline = time.Now().Add(20 * time.Second)
	for live(`#progress-state`) != "finished" {
		if time.Now().After(deadline) {
			t.Fatalf("progress after 20 s: %q", live(`#progress`))
		}
		time.Sleep(200 * time.Millisecond)
	}
	if sent := text(`#progress-sent`); sent != "2" {
		t.Fatalf("progress sent %q", sent)
	}
	shoot("e2e-6-campaign-sent")

	// 5. Open the received messages.
	inbox := readOutbox(t, a.Cfg.DataDir)
	ada, grace := inbox["ada@example.com"], inbox["grace@example.org"]
	if len(inbox) != 2 || ada.subject != "Hello Ada" || grace.subject != "Hello Grace" {
		t.Fatalf("outbox: %+v", inbox)
	}
	for to, m := range inbox {
		if !strings.HasPrefix(m.oneClick, public+"/") || m.footer == "" {
			t.Fatalf("message to %s: List-Unsubscribe https %q (want under %s), footer link %q", to, m.oneClick, public, m.footer)
		}
	}

	// 6. Unsubscribe with one click: ada presses the button of the footer link's page.
	must(chromedp.Navigate(ada.footer), chromedp.WaitVisible(css(`button[value=purpose]`)))
	shoot("e2e-7-unsubscribe-page")
	must(chromedp.Click(css(`button[value=purpose]`)), chromedp.Sleep(300*time.Millisecond), chromedp.WaitVisible(css(`h1`)))
	if h := text(`h1`); h != "You are unsubscribed" {
		t.Fatalf("after the button: %q (%s)", h, text(`body`))
	}
	shoot("e2e-8-unsubscribed")
	// grace's mail client sends the RFC 8058 POST to the List-Unsubscribe URL: no cookie, no page.
	res, err := proxy.Client().Post(grace.oneClick, "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("one-click POST: %d %s", res.StatusCode, body)
	}

	// 7. The admin UI shows both contacts suppressed...
	for i, addr := range []string{"ada@example.com", "grace@example.org"} {
		must(chromedp.Navigate(public+"/ui/contacts"), chromedp.WaitVisible(css(`#search-email`)))
		// The answer's search box carries the address in its value attribute; the listing's did not.
		must(chromedp.SendKeys(css(`#search-email`), addr), chromedp.Click(css(`#search`)),
			chromedp.WaitVisible(css(`#search-email[value="`+addr+`"]`)), chromedp.WaitVisible(css(`#contacts tbody a`)))
		if rows := text(`#contacts tbody`); !strings.Contains(rows, addr) || strings.Count(rows, "@") != 1 {
			t.Fatalf("search for %s: %q", addr, rows)
		}
		must(chromedp.Click(css(`#contacts tbody a`)), chromedp.WaitVisible(css(`#contact-status`)))
		if h := text(`h1`); h != addr {
			t.Fatalf("contact page of %q, want %s", h, addr)
		}
		if got := text(`article[aria-labelledby="elig-newsletter"]`); !strings.Contains(got, "newsletter: no") || !strings.Contains(got, "do-not-contact list") {
			t.Errorf("%s: eligibility on the contact page: %q", addr, got)
		}
		if got := text(`#dnc tbody`); !strings.Contains(got, "newsletter") {
			t.Errorf("%s: do-not-contact entries on the contact page: %q", addr, got)
		}
		t.Logf("%s: status %q; do-not-contact %q", addr, text(`#contact-status`), text(`#dnc tbody`))
		shoot(fmt.Sprintf("e2e-%d-contact-suppressed", 9+i))
	}

	// ...and the campaign's report counts the two unsubscribes.
	must(chromedp.Click(css(`nav a[href="/ui/campaigns"]`)), chromedp.WaitVisible(css(`#campaigns`)))
	must(chromedp.Click(css(`#campaigns tbody a`)), chromedp.WaitVisible(css(`#buckets`)))
	if st := text(`#campaign-state`); st != "finished" {
		t.Errorf("report: state %q", st)
	}
	if got := bucketCount(t, tab, "unsubscribed"); got != "2" {
		t.Errorf("report: unsubscribed %q, want 2; the outcomes:\n%s", got, text(`#buckets tbody`))
	}
	if got := bucketCount(t, tab, "sent"); got != "2" {
		t.Errorf("report: sent %q, want 2; the outcomes:\n%s", got, text(`#buckets tbody`))
	}
	shoot("e2e-11-campaign-report")
}

// bucketCount returns the count of an outcome in the campaign report's table.
func bucketCount(t *testing.T, b browserTab, bucket string) string {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => { for (const tr of document.querySelectorAll('#buckets tbody tr')) `+
		`if (tr.cells[0].textContent.trim() === `+strconv.Quote(bucket)+`) return tr.cells[1].textContent.trim(); return "none"; })()`))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// inboxMessage is what a recipient sees of a message: its subject, the https URL of its
// List-Unsubscribe header (with List-Unsubscribe-Post: one-click) and the footer's link.
type inboxMessage struct{ subject, oneClick, footer string }

var footerUnsubRE = regexp.MustCompile(`<a href="([^"]+)"[^>]*>Unsubscribe</a>`)

// readOutbox parses the .eml files of the development outbox with go-message, by recipient.
func readOutbox(t *testing.T, dataDir string) map[string]inboxMessage {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dataDir, "outbox", "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("outbox: %v, %v", files, err)
	}
	out := map[string]inboxMessage{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		mr, err := gomail.CreateReader(f)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		to, err := mr.Header.AddressList("To")
		if err != nil || len(to) != 1 {
			t.Fatalf("%s: To %v, %v", name, to, err)
		}
		var m inboxMessage
		m.subject, _ = mr.Header.Subject()
		if post := mr.Header.Get("List-Unsubscribe-Post"); post == "List-Unsubscribe=One-Click" {
			for _, u := range strings.Split(mr.Header.Get("List-Unsubscribe"), ",") {
				if u = strings.Trim(strings.TrimSpace(u), "<>"); strings.HasPrefix(u, "https://") {
					m.oneClick = u
				}
			}
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			} else if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			h, ok := p.Header.(*gomail.InlineHeader)
			if !ok {
				continue
			}
			if ct, _, _ := mime.ParseMediaType(h.Get("Content-Type")); ct != "text/html" {
				continue
			}
			b, err := io.ReadAll(p.Body)
			if err != nil {
				t.Fatal(err)
			}
			if l := footerUnsubRE.FindSubmatch(b); l != nil {
				m.footer = html.UnescapeString(string(l[1]))
			}
		}
		f.Close()
		out[to[0].Address] = m
	}
	return out
}
