package render

import (
	"strings"
	"testing"
)

// TestAttributeValuesAreData: what a contact's attributes hold is written, escaped in HTML,
// never executed as a template or as markup.
func TestAttributeValuesAreData(t *testing.T) {
	c, err := Compile(Template{
		Subject:   "Hi {{.Contact.name}}",
		Preheader: "{{.Contact.name}}",
		HTML:      `<p title="{{.Contact.name}}">Hi {{.Contact.name}}</p><a href="https://x.example/?n={{.Contact.name}}">x</a><p>{{.Contact.email}}</p>`,
	})
	if err != nil {
		t.Fatal(err)
	}
	values := []string{
		"{{.Contact.email}}",
		`{{template "x"}}`,
		"<script>alert(1)</script>",
		`"><img src=x onerror=alert(1)>`,
		"javascript:alert(1)",
		"{{/* x */}}{{call .Contact.f}}",
	}
	for _, v := range values {
		t.Run(v, func(t *testing.T) {
			r, err := c.Render(Data{Contact: map[string]any{"name": v, "email": "e@example.org"}}, footer())
			if err != nil {
				t.Fatal(err)
			}
			if strings.Count(r.HTML, "e@example.org") != 1 || strings.Count(r.Text, "e@example.org") != 1 {
				t.Errorf("the value was executed as a template:\n%s", r.HTML)
			}
			for _, bad := range []string{"<script", "<img"} {
				if strings.Contains(r.HTML, bad) {
					t.Errorf("HTML contains unescaped %q:\n%s", bad, r.HTML)
				}
			}
			if r.Subject != "Hi "+v || !strings.Contains(r.Text, "Hi "+v) {
				t.Errorf("subject %q / text do not carry the value literally", r.Subject)
			}
		})
	}
}

// TestHeadersNeverBreak: whatever an attribute holds, the subject and preheader are one line.
func TestHeadersNeverBreak(t *testing.T) {
	c, err := Compile(Template{Subject: "Offer for {{.Contact.name}}!", Preheader: "{{.Contact.name}}", HTML: "<p>x</p>"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ value, subject string }{
		{"Ann\r\nBcc: victim@example.org", "Offer for Ann Bcc: victim@example.org!"},
		{"Ann\nX-Injected: 1", "Offer for Ann X-Injected: 1!"},
		{"Ann\rB", "Offer for Ann B!"},
		{"Ann\u2028B\u2029C", "Offer for Ann B C!"},
		{"Ann\u0085B", "Offer for Ann B!"},
		{"A\x00\x01\x7fB", "Offer for A B!"},
		{"\t  Ann  \t", "Offer for Ann !"},
		{"Ann\xffB", "Offer for Ann\uFFFDB!"},
		{"Zoë 😀", "Offer for Zoë 😀!"},
	}
	for _, tc := range cases {
		r, err := c.Render(Data{Contact: map[string]any{"name": tc.value}}, footer())
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != tc.subject {
			t.Errorf("name %q: subject %q, want %q", tc.value, r.Subject, tc.subject)
		}
		for _, h := range []string{r.Subject, r.Preheader} {
			if strings.ContainsAny(h, "\r\n\x00") {
				t.Errorf("name %q: header %q holds a control character", tc.value, h)
			}
		}
	}
}

// TestFooterAlwaysThere: the footer is in both parts whatever the template does.
func TestFooterAlwaysThere(t *testing.T) {
	templates := []Template{
		{Subject: "s", HTML: "<p>plain</p>"},
		{Subject: "s", HTML: "<html><body><p>x</p></body></html><p>after the end</p>"},
		{Subject: "s", HTML: "<table><tr><td><div><p>never closed"},
		{Subject: "s", HTML: "<p>a</p></body></html><p>after the document</p>"},
		{Subject: "s", HTML: "<style>div, p, a { display: none !important; visibility: hidden }</style><div>x</div>"},
		{Subject: "s", HTML: "{{if .Contact.vip}}<p>VIP</p>{{end}}"},
		{Subject: "s", Markdown: "{{if .Contact.vip}}\n# VIP\n{{end}}"},
		{Subject: "s", HTML: "<p>x</p>", Text: "{{if .Contact.vip}}VIP{{end}}"},
	}
	for _, tmpl := range templates {
		c, err := Compile(tmpl)
		if err != nil {
			t.Fatalf("%q: %v", tmpl.HTML, err)
		}
		for _, d := range []Data{{}, ann()} {
			r, err := c.Render(d, liFooter())
			if err != nil {
				t.Fatal(err)
			}
			f := liFooter()
			for _, want := range []string{f.UnsubscribeURL, f.PreferencesURL, "Acme Tools Ltd", "Leeds LS1 4AB", "legitimate interest", "drill from us"} {
				if !strings.Contains(r.HTML, want) || !strings.Contains(r.Text, want) {
					t.Errorf("template %q: %q missing from a part", tmpl.HTML+tmpl.Markdown, want)
				}
			}
			i := strings.Index(r.HTML, "Unsubscribe</a>")
			if i < 0 || !strings.Contains(r.HTML[:i], footerStyle) {
				t.Errorf("template %q: the footer lost its style", tmpl.HTML)
			}
		}
	}
}

// TestMissingKeysRenderEmpty: no "<no value>" in any part.
func TestMissingKeysRenderEmpty(t *testing.T) {
	c, err := Compile(Template{
		Subject:   "[{{.Contact.nope}}]",
		Preheader: "[{{.Campaign.nope}}]",
		HTML:      "<p>[{{.Contact.nope}}]</p>",
		Text:      "[{{.Contact.nope}}][{{default \"friend\" .Contact.nope}}]",
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []Data{{}, {Contact: map[string]any{}}, ann()} {
		r, err := c.Render(d, footer())
		if err != nil {
			t.Fatal(err)
		}
		if r.Subject != "[]" || r.Preheader != "[]" || !strings.Contains(r.HTML, "<p>[]</p>") ||
			!strings.HasPrefix(r.Text, "[][friend]") {
			t.Errorf("missing keys: %q %q %q", r.Subject, r.Preheader, r.Text)
		}
	}
}
