package render

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// FuzzCompileRender: any template and any attribute value either fails with an error or
// renders a message whose subject and preheader are one line and whose parts both carry the
// footer; the fast runner and the engines agree.
func FuzzCompileRender(f *testing.F) {
	seeds := []struct{ html, md, subject, value string }{
		{newsletterHTML, "", newsletterSubject, "Ann"},
		{"", markdownBody, "{{.Campaign.name}}", "x"},
		{`<p title="{{.Contact.v}}">{{if .Contact.v}}<b>{{.Contact.v}}</b>{{end}}</p>`, "", "Hi {{.Contact.v}}", "a\r\nBcc: x@y"},
		{`<table>{{range .Contact.list}}<tr><td {{if .}}class="a"{{end}}>{{.}}</td></tr>{{end}}</table>`, "", "s", "{{.Contact.v}}"},
		{`<style>p{color:red}</style><a href="{{.Contact.v}}">x</a>`, "", "{{.Contact.v}}\u2028", "javascript:alert(1)"},
		{`<html><body>{{with .Contact.v}}<p>{{.}}</p>{{end}}</body></html>`, "", "{{printf \"%s\" .Contact.v}}", "<script>"},
		{`<textarea>{{.Contact.v}}</textarea><title>{{.Contact.v}}</title>`, "", "s", "</textarea>"},
	}
	for _, s := range seeds {
		f.Add(s.html, s.md, s.subject, s.value)
	}
	f.Fuzz(func(t *testing.T, html, md, subject, value string) {
		// A template must never hang the sender: fail loudly, with the input, if one takes long.
		tm := time.AfterFunc(30*time.Second, func() { panic(fmt.Sprintf("SLOW %q %q %q %q", html, md, subject, value)) })
		defer tm.Stop()
		c, err := Compile(Template{Subject: subject, Preheader: subject, HTML: html, Markdown: md})
		if err != nil {
			var te *Error
			if !errors.As(err, &te) && !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Compile error of an unexpected type %T: %v", err, err)
			}
			return
		}
		d := Data{
			Contact:  map[string]any{"v": value, "first_name": value, "list": []any{value, "", 1.5}},
			Campaign: map[string]any{"name": value, "shop_url": value},
		}
		fast, engine, errFast, errEngine := renderBoth(c, d, footer())
		if (errFast == nil) != (errEngine == nil) {
			t.Fatalf("fast runner error %v, engine error %v", errFast, errEngine)
		}
		if errFast != nil {
			return
		}
		if fast != engine {
			t.Fatalf("fast runner and engines differ:\nfast:   %+v\nengine: %+v", fast, engine)
		}
		for _, h := range []string{fast.Subject, fast.Preheader} {
			if strings.ContainsAny(h, "\r\n") || strings.ContainsFunc(h, func(r rune) bool { return isControl(r) }) {
				t.Fatalf("header %q holds a control character", h)
			}
		}
		u := footer().UnsubscribeURL
		if !strings.Contains(fast.HTML, `<a href="`+u+`"`) || !strings.Contains(fast.Text, "Unsubscribe: "+u) {
			t.Fatalf("a part lost the unsubscribe link:\n%s\n%s", fast.HTML, fast.Text)
		}
	})
}
