package signup

import (
	"bytes"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/i18n"
)

// TestTokenLang: a link carries the sign-up's language under its signature; a link of the
// first version (no language) still verifies; a changed language byte does not.
func TestTokenLang(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	sec, _ := NewSecret()
	for _, lang := range []string{"fr", "ar", "zh", ""} {
		s := Token{Workspace: 3, Signup: 9, Secret: sec, Lang: lang}.Encode(key)
		got, err := Verify(s, key)
		if err != nil || got.Lang != lang || got.Signup != 9 || LinkLang(s) != lang {
			t.Fatalf("%q: %+v %v (LinkLang %q)", lang, got, err, LinkLang(s))
		}
	}
	s := Token{Workspace: 3, Signup: 9, Secret: sec, Lang: "fr"}.Encode(key)
	b, _ := decodeRaw(s)
	b[1+8+8+secretLen] = 'd' // "fr" -> "dr": not ours
	if _, err := Verify(encodeRaw(b), key); err != ErrLinkInvalid {
		t.Errorf("unknown language: %v", err)
	}
	copy(b[1+8+8+secretLen:], "de") // ours, but not what was signed
	if _, err := Verify(encodeRaw(b), key); err != ErrLinkInvalid {
		t.Errorf("changed language: %v", err)
	}
	if LinkLang("garbage") != "" {
		t.Error("LinkLang of garbage")
	}
}

// parsed is a confirmation e-mail read back as a mail client would.
type parsedMail struct {
	subject, lang, text, html string
}

func parseMail(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	mr, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var p parsedMail
	p.subject, _ = mr.Header.Subject()
	p.lang = mr.Header.Get("Content-Language")
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(part.Body)
		if h, ok := part.Header.(*gomail.InlineHeader); ok {
			ct, _, _ := h.ContentType()
			if ct == "text/html" {
				p.html = string(b)
			} else {
				p.text = string(b)
			}
		}
	}
	return p
}

// TestConfirmationMailLanguages: the e-mail is in the sign-up's language in its subject,
// text and HTML parts, says so in Content-Language, and the HTML part escapes the workspace
// name and runs right to left in Arabic.
func TestConfirmationMailLanguages(t *testing.T) {
	exp := time.Date(2026, 12, 12, 10, 30, 0, 0, time.UTC)
	link := "https://lists.example.com/confirm?token=abc&lang="
	for _, tc := range []struct{ lang, tag, subject, text, dir string }{
		{"en", "en", "Please confirm your subscription", `press "Confirm my subscription"`, "ltr"},
		{"fr", "fr", "Veuillez confirmer votre abonnement", "appuyez sur «\u00a0Confirmer mon abonnement\u00a0»", "ltr"},
		{"de", "de", "Bitte bestätigen Sie Ihr Abonnement", "klicken Sie auf „Mein Abonnement bestätigen“", "ltr"},
		{"pl", "pl", "Potwierdź swoją subskrypcję", "naciśnij „Potwierdzam subskrypcję”", "ltr"},
		{"zh", "zh-Hans", "请确认您的订阅", "并点击“确认订阅”", "ltr"},
		{"ar", "ar", "يُرجى تأكيد اشتراكك", "واضغط على «تأكيد اشتراكي»", "rtl"},
		{"ru", "ru", "Подтвердите подписку", "и нажмите «Подтвердить подписку»", "ltr"},
	} {
		m := confirmationMail(tc.lang, "news <noreply@example.com>", "ann@example.com", `A<b>&Co`, []string{"newsletter", "surveys"}, link+tc.lang, exp, false)
		raw, err := m.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		p := parseMail(t, raw)
		if p.subject != tc.subject || p.lang != tc.tag {
			t.Errorf("%s: subject %q, Content-Language %q", tc.lang, p.subject, p.lang)
		}
		if !strings.Contains(p.text, tc.text) || !strings.Contains(p.text, link+tc.lang) || !strings.Contains(p.text, "A<b>&Co") {
			t.Errorf("%s text:\n%s", tc.lang, p.text)
		}
		if tc.lang != "en" && !strings.Contains(p.text, "2026-12-12 10:30 UTC") {
			t.Errorf("%s: expiry not in the text:\n%s", tc.lang, p.text)
		}
		if !strings.Contains(p.html, `<html lang="`+tc.tag+`" dir="`+tc.dir+`">`) || !strings.Contains(p.html, `href="`+strings.ReplaceAll(link, "&", "&amp;")+tc.lang+`"`) ||
			strings.Contains(p.html, "A<b>") || !strings.Contains(p.html, "A&lt;b&gt;&amp;Co") || !strings.Contains(p.html, i18n.T(tc.lang, "confirm.button")) {
			t.Errorf("%s html:\n%s", tc.lang, p.html)
		}
		if strings.Contains(p.text+p.html, "%!") {
			t.Errorf("%s: formatting error:\n%s", tc.lang, p.text)
		}
	}
	// A language that is not ours is English.
	if m := confirmationMail("xx", "a@example.com", "b@example.com", "w", []string{"n"}, link, exp, false); m.Subject != "Please confirm your subscription" || m.Headers["Content-Language"] != "en" {
		t.Errorf("unknown language: %q %v", m.Subject, m.Headers)
	}
}

// TestRefusalsTranslated: every refusal of a sign-up has its own message in every language:
// no two refusals read alike, none is English in another language, none fails to format.
func TestRefusalsTranslated(t *testing.T) {
	purposes := []consent.Purpose{{Name: "newsletter", Marketing: true}, {Name: "surveys", Marketing: true}}
	ok := func() Request {
		return Request{Email: "ann@example.com", Shown: []string{"newsletter"}, Ticked: []string{"newsletter"}, PrecheckedSet: true,
			FormID: "f", FormVersion: "1", Wording: map[string]string{"newsletter": "Yes"}}
	}
	cases := map[string]func(r *Request){
		"prechecked_unsaid": func(r *Request) { r.PrecheckedSet = false },
		"prechecked":        func(r *Request) { r.Prechecked = []string{"newsletter"} },
		"email":             func(r *Request) { r.Email = "ann@@example.com" },
		"shown_count":       func(r *Request) { r.Shown = nil },
		"shown_unknown":     func(r *Request) { r.Shown = []string{"lottery"} },
		"none_ticked":       func(r *Request) { r.Ticked = nil },
		"ticked_not_shown":  func(r *Request) { r.Ticked = []string{"surveys"} },
		"wording_missing":   func(r *Request) { r.Wording = nil },
		"too_long":          func(r *Request) { r.FormID = strings.Repeat("x", 300) },
		"not_utf8":          func(r *Request) { r.FormVersion = "\xff" },
		"control":           func(r *Request) { r.List = "a\x01" },
	}
	for _, l := range i18n.Langs() {
		seen := map[string]string{}
		for key, mod := range cases {
			r := ok()
			mod(&r)
			_, err := Check(r, purposes)
			inv, isInv := err.(*InvalidError)
			if !isInv || inv.Key != key {
				t.Fatalf("%s: %v", key, err)
			}
			msg := inv.In(l.Code)
			if other, dup := seen[msg]; dup {
				t.Errorf("%s: %s and %s read alike: %q", l.Code, key, other, msg)
			}
			seen[msg] = key
			if strings.Contains(msg, "%!") || msg == "" {
				t.Errorf("%s %s: %q", l.Code, key, msg)
			}
			if l.Code != i18n.Default && msg == inv.Message {
				t.Errorf("%s %s is English: %q", l.Code, key, msg)
			}
			if key == "shown_unknown" && !strings.Contains(msg, "lottery") {
				t.Errorf("%s: the unknown purpose is not named: %q", l.Code, msg)
			}
		}
	}
}

func decodeRaw(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
func encodeRaw(b []byte) string          { return base64.RawURLEncoding.EncodeToString(b) }
