package app

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/unsub"
	"github.com/clearlist/clearlist/internal/web"
)

// noRedirect is a client with no cookie jar that reports redirects instead of following them,
// as a mailbox provider's one-click POST does.
var noRedirect = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// post sends one request with no cookie and returns the answer with its body read.
func post(t *testing.T, target, ctype string, body io.Reader, header http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest("POST", target, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("User-Agent", "Provider-Unsubscriber/1.0")
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func get(t *testing.T, target string) (*http.Response, string) {
	t.Helper()
	res, err := noRedirect.Get(target)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// unsubContact is a contact who confirmed the newsletter and surveys: eligible for both.
func unsubContact(t *testing.T, a *App, email string) contact.Contact {
	t.Helper()
	c := importOne(t, a, email, "web-form-double-opt-in", nil, false)
	ledger(t, a, c, "newsletter", consent.Email, "gc")
	ledger(t, a, c, "surveys", consent.Email, "gc")
	for _, p := range []string{"newsletter", "surveys"} {
		checkEligible(t, a, email, p, true)
	}
	return c
}

func checkEligible(t *testing.T, a *App, email, purpose string, want bool) {
	t.Helper()
	e, err := a.Elig.Eligibility(context.Background(), a.Workspace.ID, email, purpose, "email")
	if err != nil || e.Allowed != want {
		t.Fatalf("%s for %s: allowed %v (%s), want %v; %v", email, purpose, e.Allowed, decisive(e).RuleID, want, err)
	}
}

// suppressionAudit returns the workspace's suppression entries of the audit trail, newest first.
func suppressionAudit(t *testing.T, a *App) []audit.Entry {
	t.Helper()
	es, err := a.st.AuditEntries(context.Background(), a.Workspace.ID, audit.Filter{Entity: "suppression", Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestUnsubscribeOneClickServe: the RFC 8058 POST to a link of a real `serve`, with no cookie
// and no form token, is answered 200 without a redirect; the contact is refused for that
// purpose at once (eligibility and the screening index), still allowed for another; the entry
// and its audit entry are there; a second POST (multipart this time) records nothing more.
func TestUnsubscribeOneClickServe(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		c := unsubContact(t, a, "zoe@example.de")
		base, stop := startServer(t, a)
		defer stop()
		ctx := context.Background()
		links, err := a.Unsub.Links(ctx, a.Workspace.ID, base, "example.org")
		if err != nil {
			t.Fatal(err)
		}
		l, err := links.For(c.ID, 7, "newsletter")
		if err != nil {
			t.Fatal(err)
		}
		res, body := post(t, l.HTTPS, "application/x-www-form-urlencoded", strings.NewReader(unsub.OneClickBody), nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Location") != "" || len(res.Cookies()) != 0 {
			t.Fatalf("one-click: %d, Location %q, cookies %v: %s", res.StatusCode, res.Header.Get("Location"), res.Cookies(), body)
		}
		if csp := res.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors 'none'") {
			t.Errorf("one-click answer CSP %q", csp)
		}
		checkEligible(t, a, "zoe@example.de", "newsletter", false)
		checkEligible(t, a, "zoe@example.de", "surveys", true)
		checkContactable(t, a, a.Workspace.ID, "zoe@example.de", "email", "newsletter", false)

		entries, err := a.Suppressions.SuppressionsFor(ctx, a.Workspace.ID, "email", "zoe@example.de")
		if err != nil || len(entries) != 1 {
			t.Fatalf("entries %+v, %v", entries, err)
		}
		en := entries[0]
		if en.Reason != "unsubscribe" || en.ScopePurpose != "newsletter" || en.ChannelIn != suppress.InOneClick ||
			en.RecordedBy != unsub.RecordedBy || !strings.Contains(en.Note, "campaign 7") ||
			!strings.Contains(en.Note, "IP 127.0.0.1") || !strings.Contains(en.Note, "Provider-Unsubscriber/1.0") {
			t.Errorf("entry %+v", en)
		}
		trail := suppressionAudit(t, a)
		if len(trail) != 1 || trail[0].Action != "suppression.add" || trail[0].Actor.Kind != audit.Public ||
			trail[0].Actor.Name != "unsubscribe" || !strings.HasPrefix(trail[0].Actor.ID, audit.PersonalPrefix) {
			t.Fatalf("audit trail %+v", trail)
		}

		var mp bytes.Buffer
		mw := multipart.NewWriter(&mp)
		mw.WriteField("List-Unsubscribe", "One-Click")
		mw.Close()
		res, body = post(t, l.HTTPS, mw.FormDataContentType(), &mp, nil)
		if res.StatusCode != http.StatusOK || res.Header.Get("Location") != "" {
			t.Fatalf("second one-click (multipart): %d %s", res.StatusCode, body)
		}
		if again := suppressionAudit(t, a); len(again) != 1 {
			t.Errorf("the second one-click wrote %d audit entries", len(again)-1)
		}
	})
}

// unsubServer serves the unsubscribe routes of a over httptest with the given public rate.
func unsubServer(t *testing.T, a *App, rate int) *httptest.Server {
	t.Helper()
	srv := web.New(web.Config{Unsubscribe: a.Unsub, Logger: a.Log, PublicRate: rate, DataDir: t.TempDir()}, nil)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

// TestUnsubscribePageServe: the page shows the masked address and both choices with the
// public pages' headers; a cross-origin form post is refused; the page's own form (no
// browser) unsubscribes from everything; a forged link gets the neutral 404 page and
// records nothing.
func TestUnsubscribePageServe(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		c := unsubContact(t, a, "max@example.de")
		ts := unsubServer(t, a, 1000)
		ctx := context.Background()
		links, err := a.Unsub.Links(ctx, a.Workspace.ID, ts.URL, "")
		if err != nil {
			t.Fatal(err)
		}
		l, _ := links.For(c.ID, 3, "newsletter")

		res, page := get(t, l.HTTPS)
		if res.StatusCode != 200 || !strings.Contains(page, "m***@e***.de") || !strings.Contains(page, `value="purpose"`) ||
			!strings.Contains(page, `value="all"`) || !strings.Contains(page, `action="/u/`+l.Token+`"`) {
			t.Fatalf("page: %d\n%s", res.StatusCode, page)
		}
		if res.Header.Get("X-Frame-Options") != "DENY" || !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
			!strings.Contains(res.Header.Get("Content-Security-Policy"), "form-action 'self'") {
			t.Errorf("page headers %v", res.Header)
		}
		checkEligible(t, a, "max@example.de", "newsletter", true) // showing the page changes nothing

		form := url.Values{"scope": {"all"}}.Encode()
		res, body := post(t, l.HTTPS, "application/x-www-form-urlencoded", strings.NewReader(form),
			http.Header{"Sec-Fetch-Site": {"cross-site"}, "Origin": {"https://evil.example"}})
		if res.StatusCode != http.StatusForbidden {
			t.Fatalf("cross-origin form post: %d %s", res.StatusCode, body)
		}
		res, body = post(t, l.HTTPS, "application/x-www-form-urlencoded", strings.NewReader("scope=bogus"), nil)
		if res.StatusCode != http.StatusBadRequest {
			t.Fatalf("bad scope: %d %s", res.StatusCode, body)
		}
		checkEligible(t, a, "max@example.de", "surveys", true)

		res, body = post(t, l.HTTPS, "application/x-www-form-urlencoded", strings.NewReader(form),
			http.Header{"Sec-Fetch-Site": {"same-origin"}})
		if res.StatusCode != 200 || !strings.Contains(body, "You are unsubscribed") || !strings.Contains(body, "no more e-mails from us") {
			t.Fatalf("form post: %d %s", res.StatusCode, body)
		}
		checkEligible(t, a, "max@example.de", "surveys", false)
		checkEligible(t, a, "max@example.de", "newsletter", false)
		if _, page = get(t, l.HTTPS); !strings.Contains(page, "unsubscribed from all our e-mails already") {
			t.Errorf("page after unsubscribing:\n%s", page)
		}

		before := suppressionAudit(t, a)
		forged := unsub.Token{Workspace: a.Workspace.ID, Contact: c.ID, Purpose: "newsletter"}.Encode([]byte("guess"))
		for _, tok := range []string{forged, l.Token[:len(l.Token)-3], "AAAA", strings.Repeat("x", 300)} {
			res, body := get(t, ts.URL+"/u/"+tok)
			if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "This link is not valid") {
				t.Errorf("forged GET %q: %d %s", tok, res.StatusCode, body)
			}
			res, body = post(t, ts.URL+"/u/"+tok, "application/x-www-form-urlencoded", strings.NewReader(unsub.OneClickBody), nil)
			if res.StatusCode != http.StatusNotFound || strings.Contains(body, "<") || res.Header.Get("Location") != "" {
				t.Errorf("forged one-click %q: %d %s", tok, res.StatusCode, body)
			}
			res, body = post(t, ts.URL+"/u/"+tok, "application/x-www-form-urlencoded", strings.NewReader(form), nil)
			if res.StatusCode != http.StatusNotFound || !strings.Contains(body, "This link is not valid") {
				t.Errorf("forged form post %q: %d %s", tok, res.StatusCode, body)
			}
		}
		if after := suppressionAudit(t, a); len(after) != len(before) {
			t.Errorf("forged links wrote %d audit entries", len(after)-len(before))
		}
	})
}

// TestUnsubscribeBadLinkLimit: a client whose bad links used up the public rate is refused
// before any work, even with a good link (the limit counts failures only, see unsubRoutes).
func TestUnsubscribeBadLinkLimit(t *testing.T) {
	a := openApp(t, storetest.SQLiteDSN(t))
	c := unsubContact(t, a, "kim@example.de")
	ts := unsubServer(t, a, 2)
	links, _ := a.Unsub.Links(context.Background(), a.Workspace.ID, ts.URL, "")
	l, _ := links.For(c.ID, 1, "newsletter")
	for i, want := range []int{404, 404, 429} {
		if res, _ := get(t, ts.URL+"/u/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"); res.StatusCode != want {
			t.Fatalf("bad link %d: %d, want %d", i+1, res.StatusCode, want)
		}
	}
	if res, _ := post(t, l.HTTPS, "application/x-www-form-urlencoded", strings.NewReader(unsub.OneClickBody), nil); res.StatusCode != 429 {
		t.Fatalf("good link from the refused client: %d", res.StatusCode)
	}
	checkEligible(t, a, "kim@example.de", "newsletter", true)
}
