package signup

import (
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/i18n"
)

// mailHTML is the confirmation e-mail's HTML part: the same words as the text part, in the
// language's direction. The workspace name and purposes are escaped (the template does it)
// and isolated for bidirectional text.
var mailHTML = template.Must(template.New("mail").Parse(`<!doctype html>
<html lang="{{.Tag}}" dir="{{.Dir}}"><head><meta charset="utf-8"><title>{{.Subject}}</title></head>
<body style="font:16px/1.5 sans-serif;color:#222;text-align:start">
<p>{{.Hello}}</p>
<p>{{.Intro}}</p>
<p>{{.Open}}</p>
<p><a href="{{.Link}}" style="display:inline-block;padding:.5em 1em;background:#0b5394;color:#fff;text-decoration:none;border-radius:4px">{{.Button}}</a></p>
<p style="font-size:.9em;color:#444" dir="ltr"><a href="{{.Link}}">{{.Link}}</a></p>
{{with .Replaces}}<p>{{.}}</p>
{{end}}<p>{{.Until}}</p>
</body></html>
`))

// confirmationMail is the double opt-in e-mail in the language of code (an i18n code; the
// caller gives one of ours): subject, text and HTML parts, and Content-Language. replaces
// says that its link replaces one mailed before (a repeated request, a resend), which no
// longer works.
func confirmationMail(code, from, to, workspace string, purposes []string, link string, expires time.Time, replaces bool) deliver.Message {
	l, ok := i18n.Get(code)
	if !ok {
		l, _ = i18n.Get(i18n.Default)
	}
	t := func(key string, args ...any) string { return i18n.T(l.Code, key, args...) }
	when := expires.UTC().Format("2006-01-02 15:04 UTC")
	if l.Code == i18n.Default {
		when = expires.Format("2 January 2006 15:04 MST")
	}
	button := t("confirm.button")
	d := struct {
		Tag, Dir, Subject, Hello, Intro, Open, Button, Link, Replaces, Until string
	}{Tag: l.Tag, Dir: l.Dir, Subject: t("mail.confirm_subject"), Hello: t("mail.confirm_hello"),
		Intro: t("mail.confirm_intro", "\u2068"+workspace+"\u2069", "\u2068"+strings.Join(purposes, t("list.sep"))+"\u2069"),
		Open:  t("mail.confirm_open", button), Button: button, Link: link, Until: t("mail.confirm_until", when)}
	if replaces {
		d.Replaces = t("mail.confirm_replaces")
	}
	if l.Dir != "rtl" { // the isolates are for right-to-left text only; plain text elsewhere
		d.Intro = t("mail.confirm_intro", workspace, strings.Join(purposes, t("list.sep")))
	}
	until := d.Until
	if replaces {
		until = d.Replaces + "\n\n" + until
	}
	text := fmt.Sprintf("%s\n\n%s\n\n%s\n\n%s\n\n%s\n", d.Hello, d.Intro, d.Open, link, until)
	var b strings.Builder
	if err := mailHTML.Execute(&b, d); err != nil { // cannot fail on these fields; the text part suffices
		b.Reset()
	}
	return deliver.Message{From: from, To: to, Subject: d.Subject, Text: text, HTML: b.String(),
		Headers: map[string]string{"Content-Language": l.Tag}}
}
