package app

import (
	"bytes"
	"io"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	gomail "github.com/emersion/go-message/mail"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/i18n"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/web"
)

// outboxMail is a confirmation e-mail read back from the development outbox.
type outboxMail struct {
	subject, lang, text, html, link string
}

var langLinkRE = regexp.MustCompile(`https?://\S+/confirm\?token=[^\s&]+&lang=[a-z]+`)

// readOutbox parses the one e-mail in dir addressed to the address and removes it.
func readLangOutbox(t *testing.T, dir, to string) outboxMail {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*-"+to+".eml"))
	if len(files) != 1 {
		t.Fatalf("outbox mails to %s: %v", to, files)
	}
	raw, err := os.ReadFile(files[0])
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(files[0])
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var m outboxMail
	m.subject, _ = mr.Header.Subject()
	m.lang = mr.Header.Get("Content-Language")
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p.Body)
		if h, ok := p.Header.(*gomail.InlineHeader); ok {
			if ct, _, _ := h.ContentType(); ct == "text/html" {
				m.html = string(b)
			} else {
				m.text = string(b)
			}
		}
	}
	m.link = langLinkRE.FindString(m.text)
	return m
}

// TestDoubleOptInMailLanguage: a sign-up made in French (the HTML form) and one in Arabic
// (the JSON API) are confirmed through e-mails written in that language, sent to the
// development outbox: subject, Content-Language, text and HTML parts; the link carries the
// language and opens the confirm page in it (also when the link's lang parameter is lost,
// from the signed token), and confirming answers in it.
func TestDoubleOptInMailLanguage(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		dir := t.TempDir()
		doi := a.NewDOI("", &deliver.Outbox{Dir: dir})
		ts := httptest.NewServer(web.New(web.Config{DOI: doi, Logger: a.Log, DataDir: t.TempDir()}, nil).Handler())
		t.Cleanup(ts.Close)
		doi.PublicURL = ts.URL
		publicList(t, a.st, a.Workspace.ID, "signups")
		e := &doiEnv{a: a, doi: doi, ts: ts}

		// French, by the form shown in French.
		_, page := e.do(t, "GET", "/subscribe/default?lang=fr", "", "", "b")
		if !strings.Contains(page, `<html lang="fr"`) {
			t.Fatalf("French page:\n%s", page)
		}
		version := formVersionRE.FindStringSubmatch(page)[1]
		code, body := e.postForm(t, "/subscribe/default", url.Values{"email": {"zoe@example.org"}, "shown": {"newsletter"},
			"purpose": {"newsletter"}, "form_id": {signup.FormID}, "form_version": {version}, "lang": {"fr"}}, "b")
		if code != 200 || !strings.Contains(body, i18n.T("fr", "subscribe.pending_title")) {
			t.Fatalf("French sign-up: %d\n%s", code, body)
		}
		fr := readLangOutbox(t, dir, "zoe@example.org")
		if fr.subject != "Veuillez confirmer votre abonnement" || fr.lang != "fr" || !strings.Contains(fr.text, "Bonjour,") ||
			!strings.Contains(fr.text, "appuyez sur «\u00a0Confirmer mon abonnement\u00a0»") || !strings.HasSuffix(fr.link, "&lang=fr") ||
			!strings.Contains(fr.html, `<html lang="fr" dir="ltr">`) {
			t.Fatalf("French mail: %+v", fr)
		}
		code, page = e.do(t, "GET", strings.TrimPrefix(fr.link, ts.URL), "", "", "b")
		if code != 200 || !strings.Contains(page, `<html lang="fr" dir="ltr">`) || !strings.Contains(page, "Confirmer mon abonnement") {
			t.Fatalf("French confirm page %d:\n%s", code, page)
		}
		code, body = e.postForm(t, "/confirm", url.Values{"token": {tokenOf(t, fr.link)}, "lang": {"fr"}}, "b")
		if code != 200 || !strings.Contains(body, i18n.T("fr", "confirm.done_title")) {
			t.Fatalf("French confirmation: %d\n%s", code, body)
		}

		// Arabic, by the JSON API's lang field.
		b := jsonSignup("omar@example.org", "newsletter")
		b["lang"] = "ar"
		code, body = e.postJSON(t, "default", b)
		if code != 202 || !strings.Contains(body, i18n.T("ar", "subscribe.pending")) {
			t.Fatalf("Arabic sign-up: %d %s", code, body)
		}
		ar := readLangOutbox(t, dir, "omar@example.org")
		if ar.subject != "يُرجى تأكيد اشتراكك" || ar.lang != "ar" || !strings.Contains(ar.text, "واضغط على «تأكيد اشتراكي»") ||
			!strings.HasSuffix(ar.link, "&lang=ar") || !strings.Contains(ar.html, `<html lang="ar" dir="rtl">`) {
			t.Fatalf("Arabic mail: %+v", ar)
		}
		tok := tokenOf(t, ar.link)
		if signup.LinkLang(tok) != "ar" {
			t.Fatalf("token language %q", signup.LinkLang(tok))
		}
		// The link without its lang parameter (a mail client cut it): the token says Arabic.
		code, page = e.do(t, "GET", "/confirm?token="+url.QueryEscape(tok), "", "", "b")
		if code != 200 || !strings.Contains(page, `<html lang="ar" dir="rtl">`) || !strings.Contains(page, "تأكيد اشتراكي") {
			t.Fatalf("Arabic confirm page %d:\n%s", code, page)
		}
		code, body = e.postForm(t, "/confirm", url.Values{"token": {tok}, "lang": {"ar"}}, "b")
		if code != 200 || !strings.Contains(body, i18n.T("ar", "confirm.done_title")) {
			t.Fatalf("Arabic confirmation: %d\n%s", code, body)
		}
		for _, email := range []string{"zoe@example.org", "omar@example.org"} {
			c, err := a.st.ContactByEmail(t.Context(), a.Workspace.ID, email)
			if err != nil {
				t.Fatal(err)
			}
			if s, _ := a.st.ConsentState(t.Context(), a.Workspace.ID, c.ID, "newsletter", consent.Email); s.State != consent.StateConfirmed {
				t.Errorf("%s: %v", email, s.State)
			}
		}
	})
}
