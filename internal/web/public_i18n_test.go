package web

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/i18n"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/unsub"
)

// fakeDOI is a sign-up service with one purpose; it keeps the last submission.
type fakeDOI struct {
	origins []string
	last    signup.Submission
}

func (f *fakeDOI) Form(_ context.Context, ws, list string) (signup.Form, error) {
	if ws != "default" {
		return signup.Form{}, signup.ErrNoWorkspace
	}
	ps := []consent.Purpose{{Name: "newsletter", Description: `our <b>monthly</b> "news"`, Marketing: true}}
	return signup.Form{Workspace: ws, Purposes: ps, FormID: signup.FormID, FormVersion: signup.FormVersion(ps)}, nil
}

func (f *fakeDOI) Subscribe(_ context.Context, in signup.Submission) error {
	f.last = in
	if in.Email == "bad" {
		return &signup.InvalidError{Field: "email", Message: "not an e-mail address"}
	}
	return nil
}
func (f *fakeDOI) Check(context.Context, string) error                { return nil }
func (f *fakeDOI) Confirm(context.Context, string, signup.Step) error { return nil }
func (f *fakeDOI) AllowedOrigins(context.Context, string) ([]string, error) {
	return f.origins, nil
}

// pageUnsub is an unsubscribe service whose page and result are given.
type pageUnsub struct {
	page unsub.Page
	res  unsub.Result
}

func (p *pageUnsub) Open(context.Context, string) (unsub.Page, error) { return p.page, nil }
func (p *pageUnsub) Unsubscribe(context.Context, string, unsub.Scope, string, string) (unsub.Result, error) {
	return p.res, nil
}
func (p *pageUnsub) OneClick(context.Context, string, string, string) (unsub.Result, error) {
	return p.res, nil
}

func i18nServer(t *testing.T, doi *fakeDOI, u Unsubscriber) *httptest.Server {
	t.Helper()
	srv := New(Config{DOI: doi, Unsubscribe: u, Logger: slog.New(slog.DiscardHandler), DataDir: t.TempDir()}, nil)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

type page struct {
	code int
	h    http.Header
	body string
}

// get fetches a page with an Accept-Language header and cookies.
func get(t *testing.T, target, acceptLang string, cookies ...*http.Cookie) page {
	t.Helper()
	req, _ := http.NewRequest("GET", target, nil)
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return page{res.StatusCode, res.Header, string(b)}
}

var htmlTag = regexp.MustCompile(`<html lang="([^"]+)" dir="([^"]+)">`)

// TestPublicPagesLanguage: the language comes from Accept-Language (q-values, regions),
// unknown languages get English; the page's lang and dir say so; the switch lists every
// language with hreflang, marks the current one, and keeps the page's own query.
func TestPublicPagesLanguage(t *testing.T) {
	ts := i18nServer(t, &fakeDOI{}, &pageUnsub{page: unsub.Page{Address: "a***@e***.com", Purpose: "product-updates"}})
	for _, tc := range []struct{ accept, lang, dir, title string }{
		{"", "en", "ltr", "<title>Subscribe</title>"},
		{"ja, ko;q=0.8", "en", "ltr", "<title>Subscribe</title>"},
		{"fr-CA, en;q=0.5", "fr", "ltr", "<title>S’abonner</title>"},
		{"en;q=0.2, de-AT;q=0.9", "de", "ltr", "<title>Abonnieren</title>"},
		{"pl", "pl", "ltr", "<title>Zapisz się</title>"},
		{"zh-CN,zh;q=0.9", "zh-Hans", "ltr", "<title>订阅</title>"},
		{"ar-SA", "ar", "rtl", "<title>الاشتراك</title>"},
		{"ru-RU,ru;q=0.9,en;q=0.1", "ru", "ltr", "<title>Подписка</title>"},
	} {
		p := get(t, ts.URL+"/subscribe/default?list=news", tc.accept)
		m := htmlTag.FindStringSubmatch(p.body)
		if p.code != 200 || m == nil || m[1] != tc.lang || m[2] != tc.dir || !strings.Contains(p.body, tc.title) {
			t.Errorf("Accept-Language %q: %d %v, want lang %s dir %s %s", tc.accept, p.code, m, tc.lang, tc.dir, tc.title)
			continue
		}
		if !strings.Contains(p.h.Get("Vary"), "Accept-Language") {
			t.Errorf("Vary: %v", p.h.Values("Vary"))
		}
		for _, l := range i18n.Langs() {
			link := `href="?lang=` + l.Code + `&amp;list=news" hreflang="` + l.Tag + `" lang="` + l.Tag + `" dir="` + l.Dir + `"`
			if !strings.Contains(p.body, link) {
				t.Errorf("%q: no switch link %s", tc.accept, link)
			}
		}
		if cur := regexp.MustCompile(`hreflang="([^"]+)"[^>]*aria-current`).FindStringSubmatch(p.body); cur == nil || cur[1] != tc.lang {
			t.Errorf("%q: current language %v", tc.accept, cur)
		}
		if strings.Contains(strings.ToLower(p.body), "<script") {
			t.Errorf("%q: a script in the page", tc.accept)
		}
	}
}

// TestLanguageSwitchCookie: ?lang= wins over Accept-Language and is kept in a cookie that
// then wins too; an unknown ?lang= sets nothing; a bad cookie is ignored.
func TestLanguageSwitchCookie(t *testing.T) {
	ts := i18nServer(t, &fakeDOI{}, nil)
	p := get(t, ts.URL+"/subscribe/default?lang=ar", "de")
	var c *http.Cookie
	for _, k := range (&http.Response{Header: p.h}).Cookies() {
		if k.Name == langCookie {
			c = k
		}
	}
	if m := htmlTag.FindStringSubmatch(p.body); m == nil || m[1] != "ar" || m[2] != "rtl" || c == nil || c.Value != "ar" ||
		!c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("switch: %v, cookie %+v", m, c)
	}
	if m := htmlTag.FindStringSubmatch(get(t, ts.URL+"/subscribe/default", "de", c).body); m == nil || m[1] != "ar" {
		t.Errorf("with the cookie: %v", m)
	}
	if m := htmlTag.FindStringSubmatch(get(t, ts.URL+"/subscribe/default?lang=pl", "de", c).body); m == nil || m[1] != "pl" {
		t.Errorf("switch over the cookie: %v", m)
	}
	p = get(t, ts.URL+"/subscribe/default?lang=xx", "de")
	if m := htmlTag.FindStringSubmatch(p.body); m == nil || m[1] != "de" || p.h.Get("Set-Cookie") != "" {
		t.Errorf("unknown ?lang=: %v %q", m, p.h.Get("Set-Cookie"))
	}
	if m := htmlTag.FindStringSubmatch(get(t, ts.URL+"/subscribe/default", "ru", &http.Cookie{Name: langCookie, Value: "<x>"}).body); m == nil || m[1] != "ru" {
		t.Errorf("bad cookie: %v", m)
	}
}

// TestSubscribeInLanguage: the box wording is translated around the workspace's own
// description, escaped; a post records the wording of the language it was shown in and
// answers in it; a refused e-mail is explained in that language.
func TestSubscribeInLanguage(t *testing.T) {
	doi := &fakeDOI{}
	ts := i18nServer(t, doi, nil)
	p := get(t, ts.URL+"/subscribe/default", "fr")
	if !strings.Contains(p.body, "Oui, je souhaite recevoir par e-mail\u00a0: <bdi>our &lt;b&gt;monthly&lt;/b&gt; &#34;news&#34;</bdi>.") ||
		!strings.Contains(p.body, `name="lang" value="fr"`) || strings.Contains(p.body, "<b>monthly") {
		t.Fatalf("French page:\n%s", p.body)
	}
	f, _ := doi.Form(context.Background(), "default", "")
	post := func(email, lang string) page {
		form := url.Values{"email": {email}, "purpose": {"newsletter"}, "shown": {"newsletter"}, "form_id": {f.FormID},
			"form_version": {f.FormVersion}, "lang": {lang}}
		req, _ := http.NewRequest("POST", ts.URL+"/subscribe/default", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept-Language", "en")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return page{res.StatusCode, res.Header, string(b)}
	}
	p = post("ann@example.com", "ru")
	if got := doi.last.Wording["newsletter"]; got != `Да, присылайте мне по электронной почте: our <b>monthly</b> "news". Я могу отписаться в любой момент.` {
		t.Errorf("recorded wording: %q", got)
	}
	if p.code != 200 || !strings.Contains(p.body, "Проверьте почтовый ящик") || !strings.Contains(p.body, `lang="ru"`) {
		t.Errorf("answer: %d\n%s", p.code, p.body)
	}
	post("ann@example.com", "en")
	if got := doi.last.Wording["newsletter"]; got != signup.BoxWording(f.Purposes[0]) || got != i18n.T("en", "subscribe.box", f.Purposes[0].Description) {
		t.Errorf("English wording: %q (the page shows the catalogue's)", got)
	}
	// What the page shows is, as text, what the evidence records.
	for _, l := range i18n.Langs() {
		p := get(t, ts.URL+"/subscribe/default?lang="+l.Code, "")
		shown := regexp.MustCompile(`<span>(.*)</span></label>`).FindStringSubmatch(p.body)
		post("ann@example.com", l.Code)
		if shown == nil || html.UnescapeString(strings.NewReplacer("<bdi>", "", "</bdi>", "").Replace(shown[1])) != doi.last.Wording["newsletter"] {
			t.Errorf("%s: shown %v, recorded %q", l.Code, shown, doi.last.Wording["newsletter"])
		}
	}
	if p = post("bad", "de"); p.code != 422 || !strings.Contains(p.body, "Bitte geben Sie eine gültige E-Mail-Adresse ein") {
		t.Errorf("refused in German: %d\n%s", p.code, p.body)
	}
	if p = post("bad", "en"); p.code != 422 || !strings.Contains(p.body, "not an e-mail address") {
		t.Errorf("refused in English: %d\n%s", p.code, p.body)
	}
}

// TestPreferencesChoose: the footer's preferences link (?choose=1) heads the page as the
// person's preferences and asks for a choice (radio buttons, nothing preselected) before
// anything changes; without it the page shows the unsubscribe buttons. In every language the
// address and the purpose are escaped.
func TestPreferencesChoose(t *testing.T) {
	u := &pageUnsub{page: unsub.Page{Address: `<img src=x>@e***.com`, Purpose: "product-updates"}}
	ts := i18nServer(t, &fakeDOI{}, u)
	p := get(t, ts.URL+"/u/tok?choose=1", "de")
	if !strings.Contains(p.body, "<h1>Ihre E-Mail-Einstellungen</h1>") || !strings.Contains(p.body, `type="radio" name="scope" value="purpose" required`) ||
		!strings.Contains(p.body, "Nur die E-Mails „product updates“") || strings.Contains(p.body, "checked") ||
		strings.Contains(p.body, `<button type="submit" name="scope"`) {
		t.Fatalf("preferences:\n%s", p.body)
	}
	p = get(t, ts.URL+"/u/tok", "de")
	if !strings.Contains(p.body, "<h1>Abmelden</h1>") || !strings.Contains(p.body, `value="purpose">Von den E-Mails „product updates“ abmelden</button>`) {
		t.Fatalf("unsubscribe page:\n%s", p.body)
	}
	for _, l := range i18n.Langs() {
		for _, q := range []string{"", "?choose=1"} {
			p := get(t, ts.URL+"/u/tok"+q, l.Code)
			if strings.Contains(p.body, "<img") || !strings.Contains(p.body, "<strong><bdi>&lt;img src=x&gt;@e***.com</bdi></strong>") {
				t.Errorf("%s%s: address not escaped:\n%s", l.Code, q, p.body)
			}
		}
	}
	// The result page, after a choice: purpose and address in the sentence, in Polish.
	u.res = unsub.Result{Address: "a***@e***.com", Purpose: "product-updates", Recorded: true}
	req, _ := http.NewRequest("POST", ts.URL+"/u/tok", strings.NewReader("scope=purpose&lang=pl"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(b), "Na adres a***@e***.com nie będą już przychodzić e-maile „product updates”.") {
		t.Errorf("result in Polish:\n%s", b)
	}
}

// TestEmbeddedFrame: the subscribe page may be framed (?embed=1, kept through the post) by
// the workspace's allowed origins only; otherwise every public page refuses frames.
func TestEmbeddedFrame(t *testing.T) {
	doi := &fakeDOI{origins: []string{"https://www.shop.example", "http://localhost:3000"}}
	ts := i18nServer(t, doi, nil)
	p := get(t, ts.URL+"/subscribe/default?embed=1&lang=fr", "")
	if csp := p.h.Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors https://www.shop.example http://localhost:3000;") ||
		p.h.Get("X-Frame-Options") != "" || !strings.Contains(p.body, `name="embed" value="1"`) {
		t.Fatalf("embedded: %v\n%s", p.h, p.body)
	}
	// The answer to the framed form's post is framed too; without the field it is not.
	f, _ := doi.Form(context.Background(), "default", "")
	for embed, want := range map[string]string{"1": "frame-ancestors https://www.shop.example http://localhost:3000;", "": "frame-ancestors 'none'"} {
		form := url.Values{"email": {"ann@example.com"}, "purpose": {"newsletter"}, "shown": {"newsletter"}, "form_id": {f.FormID},
			"form_version": {f.FormVersion}, "embed": {embed}}
		req, _ := http.NewRequest("POST", ts.URL+"/subscribe/default", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Security-Policy"), want) {
			t.Errorf("post with embed=%q: %d %v", embed, res.StatusCode, res.Header)
		}
	}
	for _, target := range []string{"/subscribe/default", "/subscribe/default?embed=0", "/stop/default?embed=1", "/confirm?token=x&embed=1"} {
		p := get(t, ts.URL+target, "")
		if !strings.Contains(p.h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || p.h.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: %v", target, p.h)
		}
	}
	doi.origins = nil
	if p := get(t, ts.URL+"/subscribe/default?embed=1", ""); !strings.Contains(p.h.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
		p.h.Get("X-Frame-Options") != "DENY" {
		t.Errorf("embedded without allowed origins: %v", p.h)
	}
}

// choosingUnsub is a pageUnsub that also takes the preferences page's choice.
type choosingUnsub struct {
	pageUnsub
	calls []string
}

func (c *choosingUnsub) Choose(_ context.Context, _ string, purposes []string, _, _ string) (unsub.Result, error) {
	c.calls = append(c.calls, "choose "+strings.Join(purposes, ","))
	if slices.Contains(purposes, "nope") {
		return unsub.Result{}, unsub.ErrPurpose
	}
	return unsub.Result{Address: "a***@e***.com", Purposes: purposes, Recorded: true}, nil
}

func (c *choosingUnsub) Unsubscribe(_ context.Context, _ string, sc unsub.Scope, _, _ string) (unsub.Result, error) {
	c.calls = append(c.calls, "unsubscribe "+string(sc))
	return unsub.Result{Address: "a***@e***.com", Recorded: true}, nil
}

// TestPreferencesPurposes: ?choose=1 lists every marketing purpose of the workspace (its
// description as written, escaped; what is stopped already shown ticked and fixed) and
// "all"; the ticked purposes go to one Choose call and the answer names them; nothing ticked
// changes nothing; "all" unsubscribes from everything; an unknown purpose is refused.
func TestPreferencesPurposes(t *testing.T) {
	u := &choosingUnsub{pageUnsub: pageUnsub{page: unsub.Page{Address: "a***@e***.com", Purpose: "newsletter",
		Purposes: []unsub.PurposeChoice{{Name: "newsletter", Description: `our <i>news</i>`}, {Name: "surveys", Description: "surveys", Done: true}}}}}
	ts := i18nServer(t, &fakeDOI{}, u)
	p := get(t, ts.URL+"/u/tok?choose=1", "fr")
	for _, want := range []string{`<h1>Vos préférences d’e-mail</h1>`,
		`<input type="checkbox" name="purpose" value="newsletter"> <span><bdi>our &lt;i&gt;news&lt;/i&gt;</bdi> <span class="note">(<bdi>newsletter</bdi>)</span></span>`,
		`<input type="checkbox" name="purpose" value="surveys" checked disabled> <span><bdi>surveys</bdi> <span class="note">(<bdi>surveys</bdi>)</span> (déjà arrêté)</span>`,
		`<input type="checkbox" name="all" value="1"> <span>Se désabonner de tous nos e-mails</span>`, `name="scope" value="choose"`} {
		if !strings.Contains(p.body, want) {
			t.Fatalf("preferences lack %s:\n%s", want, p.body)
		}
	}
	post := func(body string) page {
		t.Helper()
		req, _ := http.NewRequest("POST", ts.URL+"/u/tok", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return page{res.StatusCode, res.Header, string(b)}
	}
	if p := post("scope=choose&purpose=newsletter&purpose=product-updates&lang=ru"); p.code != 200 ||
		!strings.Contains(p.body, "На адрес a***@e***.com больше не будут приходить эти письма: newsletter, product updates.") {
		t.Errorf("choice: %d\n%s", p.code, p.body)
	}
	if p := post("scope=choose&purpose=newsletter&purpose=surveys&lang=zh"); !strings.Contains(p.body, "newsletter、surveys") {
		t.Errorf("choice in Chinese:\n%s", p.body)
	}
	if p := post("scope=choose&lang=de"); p.code != 200 || !strings.Contains(p.body, "Sie haben nichts ausgewählt") {
		t.Errorf("nothing ticked: %d\n%s", p.code, p.body)
	}
	if p := post("scope=choose&purpose=newsletter&all=1"); p.code != 200 || !strings.Contains(p.body, "no more e-mails from us") {
		t.Errorf("all: %d\n%s", p.code, p.body)
	}
	if p := post("scope=choose&purpose=nope"); p.code != 400 {
		t.Errorf("unknown purpose: %d", p.code)
	}
	want := "choose newsletter,product-updates|choose newsletter,surveys|unsubscribe all|choose nope"
	if got := strings.Join(u.calls, "|"); got != want {
		t.Errorf("calls %s, want %s", got, want)
	}
}
