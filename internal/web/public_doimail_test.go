package web

import (
	"context"
	"encoding/json"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/i18n"
	"github.com/clearlist/clearlist/internal/signup"
)

// checkingDOI is fakeDOI whose Subscribe refuses as the sign-up service does (signup.Check
// over two marketing purposes) and keeps the language it was given.
type checkingDOI struct{ fakeDOI }

func (c *checkingDOI) Subscribe(_ context.Context, in signup.Submission) error {
	c.last = in
	if in.Workspace != "default" {
		return signup.ErrNoWorkspace
	}
	_, err := signup.Check(in.Request, []consent.Purpose{{Name: "newsletter", Marketing: true}, {Name: "surveys", Marketing: true}})
	return err
}

func checkingServer(t *testing.T, doi *checkingDOI) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(New(Config{DOI: doi, Logger: slog.New(slog.DiscardHandler), DataDir: t.TempDir()}, nil).Handler())
	t.Cleanup(ts.Close)
	return ts
}

type apiAnswer struct {
	code   int
	lang   string
	status string
	msg    string // the pending message, or the problem's detail and errors
}

func postAPI(t *testing.T, target, acceptLang string, body map[string]any) apiAnswer {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", target, strings.NewReader(string(b)))
	req.Header.Set("Content-Type", "application/json")
	if acceptLang != "" {
		req.Header.Set("Accept-Language", acceptLang)
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var doc struct {
		Status  any    `json:"status"`
		Message string `json:"message"`
		Detail  string `json:"detail"`
		Errors  []struct {
			Message  string `json:"message"`
			Location string `json:"location"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	a := apiAnswer{code: res.StatusCode, lang: res.Header.Get("Content-Language"), msg: doc.Message + doc.Detail}
	if s, ok := doc.Status.(string); ok {
		a.status = s
	}
	for _, e := range doc.Errors {
		a.msg += "|" + e.Location + ": " + e.Message
	}
	return a
}

func apiSignup(mod func(b map[string]any)) map[string]any {
	b := map[string]any{"email": "ann@example.com", "purposes_shown": []string{"newsletter"}, "purposes_ticked": []string{"newsletter"},
		"prechecked": []string{}, "form_id": "landing", "form_version": "1", "wording": "Yes"}
	if mod != nil {
		mod(b)
	}
	return b
}

// TestSubscribeAPILanguage: the JSON sign-up answers in the body's lang, else in the
// Accept-Language header's best language, else English; the language travels with the
// sign-up to the service (for its e-mail); refusals, an unknown workspace and an unreadable
// body are explained in it.
func TestSubscribeAPILanguage(t *testing.T) {
	doi := &checkingDOI{}
	ts := checkingServer(t, doi)
	api := ts.URL + "/api/public/default/subscribe"
	for _, tc := range []struct {
		accept, field, want string
	}{
		{"", "", "en"},
		{"fr-CH, fr;q=0.9", "", "fr"},
		{"de", "ar", "ar"},
		{"ja", "", "en"},
		{"", "zh", "zh"},
		{"ru", "xx", "ru"}, // a lang that is not ours: the header decides
		{"pl", "", "pl"},
	} {
		a := postAPI(t, api, tc.accept, apiSignup(func(b map[string]any) {
			if tc.field != "" {
				b["lang"] = tc.field
			}
		}))
		if a.code != 202 || a.status != "pending" || a.lang != tc.want || a.msg != i18n.T(tc.want, "subscribe.pending") {
			t.Errorf("%+v: %+v", tc, a)
		}
		if wantLang := tc.want; doi.last.Lang != wantLang {
			t.Errorf("%+v: the service was given %q", tc, doi.last.Lang)
		}
	}
	if a := postAPI(t, api, "", apiSignup(nil)); !strings.Contains(a.msg, "Thank you. We have sent you an e-mail") {
		t.Errorf("English: %+v", a)
	}

	// Refusals: each in its own words, in the visitor's language.
	for _, tc := range []struct {
		lang, key, field string
		mod              func(b map[string]any)
		args             []any
	}{
		{"fr", "none_ticked", "body.purposes_ticked", func(b map[string]any) { b["purposes_ticked"] = []string{} }, nil},
		{"de", "prechecked", "body.prechecked", func(b map[string]any) { b["prechecked"] = []string{"newsletter"} }, nil},
		{"ar", "prechecked_unsaid", "body.prechecked", func(b map[string]any) { delete(b, "prechecked") }, nil},
		{"ru", "shown_unknown", "body.purposes_shown", func(b map[string]any) { b["purposes_shown"] = []string{"lottery"} }, []any{"lottery", "newsletter, surveys"}},
		{"zh", "ticked_not_shown", "body.purposes_ticked", func(b map[string]any) { b["purposes_ticked"] = []string{"surveys"} }, []any{"surveys"}},
		{"pl", "wording_missing", "body.wording", func(b map[string]any) { delete(b, "wording") }, []any{"newsletter"}},
		{"fr", "email", "body.email", func(b map[string]any) { b["email"] = "ann@@example.com" }, nil},
		{"de", "too_long", "body.form_id", func(b map[string]any) { b["form_id"] = strings.Repeat("x", 300) }, []any{"form_id", 256}},
	} {
		a := postAPI(t, api, "en", apiSignup(func(b map[string]any) { b["lang"] = tc.lang; tc.mod(b) }))
		want := i18n.T(tc.lang, "refuse."+tc.key, tc.args...)
		if a.code != 422 || a.lang != tc.lang || !strings.Contains(a.msg, "|"+tc.field+": "+want) {
			t.Errorf("%s %s: %+v (want %q)", tc.lang, tc.key, a, want)
		}
	}
	// English keeps the service's own words, as before.
	if a := postAPI(t, api, "", apiSignup(func(b map[string]any) { b["purposes_ticked"] = []string{} })); !strings.Contains(a.msg, "no box was ticked: tick at least one to sign up") {
		t.Errorf("English refusal: %+v", a)
	}
	if a := postAPI(t, ts.URL+"/api/public/nope/subscribe", "ru", apiSignup(nil)); a.code != 404 || a.msg != i18n.T("ru", "err.no_signup") || a.lang != "ru" {
		t.Errorf("unknown workspace in Russian: %+v", a)
	}
	if a := postAPI(t, api, "de", map[string]any{"emial": "x"}); a.code != 422 || !strings.Contains(a.msg, "Der Inhalt ist nicht das erwartete JSON-Objekt") {
		t.Errorf("unreadable body in German: %+v", a)
	}
	if a := postAPI(t, api, "ar", apiSignup(func(b map[string]any) { b["wording"] = 7 })); a.code != 422 || !strings.Contains(a.msg, i18n.T("ar", "refuse.wording_shape")) {
		t.Errorf("bad wording in Arabic: %+v", a)
	}
}

// TestSubscribeFormRefusals: the HTML form explains each refusal in its own words in the
// page's language (not one generic message), and hands the page's language to the service.
func TestSubscribeFormRefusals(t *testing.T) {
	doi := &checkingDOI{}
	ts := checkingServer(t, doi)
	f, _ := doi.Form(context.Background(), "default", "")
	post := func(lang string, mod func(v url.Values)) page {
		v := url.Values{"email": {"ann@example.com"}, "purpose": {"newsletter"}, "shown": {"newsletter"}, "form_id": {f.FormID},
			"form_version": {f.FormVersion}, "lang": {lang}}
		mod(v)
		req, _ := http.NewRequest("POST", ts.URL+"/subscribe/default", strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return page{res.StatusCode, res.Header, string(b)}
	}
	if p := post("ar", func(url.Values) {}); p.code != 200 || doi.last.Lang != "ar" {
		t.Fatalf("sign-up in Arabic: %d, service given %q", p.code, doi.last.Lang)
	}
	for _, tc := range []struct {
		lang, key string
		mod       func(v url.Values)
		args      []any
	}{
		{"fr", "prechecked", func(v url.Values) { v.Set("prechecked", "newsletter") }, nil},
		{"de", "ticked_not_shown", func(v url.Values) { v.Add("purpose", "surveys") }, []any{"surveys"}},
		{"pl", "none_ticked", func(v url.Values) { v.Del("purpose") }, nil},
		{"ru", "shown_unknown", func(v url.Values) { v.Set("shown", "lottery"); v.Set("purpose", "lottery") }, []any{"lottery", "newsletter, surveys"}},
		{"zh", "control", func(v url.Values) { v.Set("list", "a\x01") }, []any{"list"}},
	} {
		p := post(tc.lang, tc.mod)
		want := i18n.T(tc.lang, "refuse."+tc.key, tc.args...)
		if p.code != 422 || !strings.Contains(p.body, template.HTMLEscapeString(want)) || strings.Contains(p.body, template.HTMLEscapeString(i18n.T(tc.lang, "subscribe.err_other"))) {
			t.Errorf("%s %s: %d, want %q\n%s", tc.lang, tc.key, p.code, want, p.body)
		}
	}
}

// TestConfirmPageLinkLanguage: the confirmation link opens the confirm page in the language
// it was mailed in: from its lang parameter, or, when a mail client dropped it, from the
// language signed into the token.
func TestConfirmPageLinkLanguage(t *testing.T) {
	ts := i18nServer(t, &fakeDOI{}, nil)
	sec, _ := signup.NewSecret()
	tok := signup.Token{Workspace: 1, Signup: 2, Secret: sec, Lang: "ar"}.Encode([]byte("k"))
	p := get(t, ts.URL+"/confirm?token="+url.QueryEscape(tok), "de")
	if m := htmlTag.FindStringSubmatch(p.body); m == nil || m[1] != "ar" || m[2] != "rtl" || !strings.Contains(p.body, i18n.T("ar", "confirm.button")) ||
		!strings.Contains(p.body, `name="lang" value="ar"`) {
		t.Errorf("token's language: %v\n%s", m, p.body)
	}
	p = get(t, ts.URL+"/confirm?token="+url.QueryEscape(tok)+"&lang=fr", "de")
	if m := htmlTag.FindStringSubmatch(p.body); m == nil || m[1] != "fr" || !strings.Contains(p.body, "Confirmer mon abonnement") {
		t.Errorf("link's lang: %v", m)
	}
	old := signup.Token{Workspace: 1, Signup: 2, Secret: sec}.Encode([]byte("k")) // a link of before languages
	if m := htmlTag.FindStringSubmatch(get(t, ts.URL+"/confirm?token="+url.QueryEscape(old), "pl").body); m == nil || m[1] != "pl" {
		t.Errorf("link without a language: Accept-Language decides: %v", m)
	}
}
