package render

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCompileErrors(t *testing.T) {
	const body = "<p>x</p>"
	cases := []struct {
		name string
		tmpl Template
		part string
		line int
		msg  string
	}{
		{"html syntax", Template{Subject: "s", HTML: "<p>a</p>\n<p>{{if .Contact.x}}</p>"}, "html", 2, "unexpected EOF"},
		{"html unknown function", Template{Subject: "s", HTML: "<p>a</p>\n\n<p>{{shout .Contact.x}}</p>"}, "html", 3, `function "shout" not defined`},
		{"html unknown field", Template{Subject: "s", HTML: "<p>\n{{.contact.first_name}}</p>"}, "html", 2, "unknown field .contact"},
		{"html unknown root variable", Template{Subject: "s", HTML: "<p>{{$.Secret}}</p>"}, "html", 1, "unknown field $.Secret"},
		{"html define", Template{Subject: "s", HTML: `{{define "x"}}a{{end}}<p>b</p>`}, "html", 0, "{{define}}"},
		{"html template call", Template{Subject: "s", HTML: "<p>a</p>\n{{template \"x\" .}}"}, "html", 2, "{{template}}"},
		{"html range over number", Template{Subject: "s", HTML: "<p>\n\n{{range 1000000000}}x{{end}}</p>"}, "html", 3, "range over a number"},
		{"html branches in different contexts", Template{Subject: "s", HTML: "<p>\n<a href=\"{{if .Contact.x}}\">{{end}}</a></p>"}, "html", 2, "branches end in different contexts"},
		{"html empty", Template{Subject: "s"}, "html", 0, "empty"},
		{"subject empty", Template{HTML: body}, "subject", 0, "empty"},
		{"subject syntax", Template{Subject: "Hi {{.Contact.x", HTML: body}, "subject", 1, "unclosed action"},
		{"preheader unknown function", Template{Subject: "s", Preheader: "{{nope}}", HTML: body}, "preheader", 1, `function "nope" not defined`},
		{"text unknown function", Template{Subject: "s", HTML: body, Text: "a\nb\n{{nope .Contact.x}}"}, "text", 3, `function "nope" not defined`},
		{"text range over number", Template{Subject: "s", HTML: body, Text: "a\n{{range 5}}x{{end}}"}, "text", 2, "range over a number"},
		{"markdown syntax", Template{Subject: "s", Markdown: "# Hi\n\n{{if .Contact.x}}\nno end"}, "markdown", 4, "unexpected EOF"},
		{"markdown unknown field", Template{Subject: "s", Markdown: "# Hi\n\n{{.Secret}}"}, "markdown", 3, "unknown field .Secret"},
		{"footer inside a condition", Template{Subject: "s",
			HTML: "<html><body>{{if .Contact.vip}}<p>VIP</p></body>{{end}}</html>"}, "html", 0, "footer would end up inside"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.tmpl)
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("Compile error = %v, want an *Error", err)
			}
			if te.Part != tc.part || te.Line != tc.line || !strings.Contains(te.Msg, tc.msg) {
				t.Errorf("got part %q line %d msg %q; want part %q line %d msg containing %q",
					te.Part, te.Line, te.Msg, tc.part, tc.line, tc.msg)
			}
			if !strings.HasPrefix(err.Error(), tc.part+" template") {
				t.Errorf("message %q does not start with the part", err)
			}
		})
	}
}

func TestTooLarge(t *testing.T) {
	big := "<p>" + strings.Repeat("All work and no play makes Jack a dull boy. ", 5<<20/44) + "</p>"
	cases := []struct {
		name string
		tmpl Template
	}{
		{"5 MB HTML", Template{Subject: "s", HTML: big}},
		{"5 MB Markdown", Template{Subject: "s", Markdown: big}},
		{"5 MB text", Template{Subject: "s", HTML: "<p>x</p>", Text: big}},
		{"long subject", Template{Subject: strings.Repeat("x", MaxHeaderTemplateBytes+1), HTML: "<p>x</p>"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := Compile(tc.tmpl)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("Compile = %v, want ErrTooLarge", err)
			}
			if !strings.Contains(err.Error(), "limit") {
				t.Errorf("message %q does not name the limit", err)
			}
			t.Logf("%s refused in %v: %v", tc.name, time.Since(start), err)
		})
	}
}

// TestLargeTemplateUnderLimit compiles and renders a template just under the limit: it is
// accepted, not refused, and works.
func TestLargeTemplateUnderLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	var b strings.Builder
	b.WriteString("<style>p { color: #333 } .x { font-weight: bold }</style>")
	for b.Len() < MaxTemplateBytes-200 {
		b.WriteString(`<p class="x">Hello {{.Contact.first_name}}, a paragraph of a very long message.</p>` + "\n")
	}
	c, err := Compile(Template{Subject: "s", HTML: b.String()})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Render(ann(), footer())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.HTML, `<p class="x" style="color:#333;font-weight:bold">Hello Ann,`) {
		t.Errorf("CSS not inlined in the large template")
	}
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		name string
		tmpl Template
		data Data
		part string
		line int
		msg  string
	}{
		{"html index out of range", Template{Subject: "s", HTML: "<p>a</p>\n<p>\n{{index .Contact.tags 5}}</p>"},
			Data{Contact: map[string]any{"tags": []any{"a"}}}, "html", 3, "index out of range"},
		{"text index out of range", Template{Subject: "s", HTML: "<p>a</p>", Text: "a\n{{index .Contact.tags 5}}"},
			Data{Contact: map[string]any{"tags": []any{"a"}}}, "text", 2, "index out of range"},
		{"subject field of a string", Template{Subject: "{{.Contact.name.first}}", HTML: "<p>a</p>"},
			Data{Contact: map[string]any{"name": "Ann"}}, "subject", 1, "first"},
		{"call refused", Template{Subject: "s", HTML: "<p>{{call .Contact.f}}</p>"},
			Data{Contact: map[string]any{"f": "x"}}, "html", 1, "call is not available"},
		{"eq of mixed types", Template{Subject: "s", HTML: "<p>{{if eq .Contact.points 10}}ten{{end}}</p>"},
			Data{Contact: map[string]any{"points": 10.0}}, "html", 1, "incompatible types"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compile(tc.tmpl)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Render(tc.data, footer())
			var te *Error
			if !errors.As(err, &te) {
				t.Fatalf("Render error = %v, want an *Error", err)
			}
			if te.Part != tc.part || te.Line != tc.line || !strings.Contains(te.Msg, tc.msg) {
				t.Errorf("got %v (part %q line %d); want part %q line %d msg containing %q",
					err, te.Part, te.Line, tc.part, tc.line, tc.msg)
			}
		})
	}
}

// TestOutputLimit stops a template that writes more than MaxOutputBytes.
func TestOutputLimit(t *testing.T) {
	c, err := Compile(Template{Subject: "s", HTML: "<p>{{range .Contact.items}}" + strings.Repeat("x", 1000) + "{{end}}</p>"})
	if err != nil {
		t.Fatal(err)
	}
	items := make([]any, MaxOutputBytes/1000+10)
	_, err = c.Render(Data{Contact: map[string]any{"items": items}}, footer())
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Render = %v, want ErrTooLarge", err)
	}
}

func TestDataMustBeJSONLike(t *testing.T) {
	c, err := Compile(Template{Subject: "s", HTML: "<p>{{.Contact.when.Unix}}</p>"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Render(Data{Contact: map[string]any{"when": time.Now()}}, footer())
	if err == nil || !strings.Contains(err.Error(), "JSON-like") {
		t.Fatalf("Render with a time.Time = %v, want a JSON-like refusal", err)
	}
}

func TestFooterRequired(t *testing.T) {
	c, err := Compile(Template{Subject: "s", HTML: "<p>x</p>"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		edit func(*Footer)
		msg  string
	}{
		{"no sender", func(f *Footer) { f.SenderName = " " }, "sender name"},
		{"no postal address", func(f *Footer) { f.PostalAddress = "" }, "postal address"},
		{"no unsubscribe link", func(f *Footer) { f.UnsubscribeURL = "" }, "unsubscribe link is missing"},
		{"javascript unsubscribe link", func(f *Footer) { f.UnsubscribeURL = "javascript:alert(1)" }, "not an absolute"},
		{"relative unsubscribe link", func(f *Footer) { f.UnsubscribeURL = "/u/x" }, "not an absolute"},
		{"unsubscribe link with a line break", func(f *Footer) { f.UnsubscribeURL = "https://x.example/u\r\nBcc: a@b" }, "not an absolute"},
		{"bad preferences link", func(f *Footer) { f.PreferencesURL = "data:text/html,x" }, "preferences link"},
		{"LI without notice", func(f *Footer) { *f = liFooter(); f.ProcessingNotice = "" }, "processing notice"},
		{"LI without reason", func(f *Footer) { *f = liFooter(); f.WhyYouGetThis = "" }, "why you get this"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := footer()
			tc.edit(&f)
			_, err := c.Render(ann(), f)
			if !errors.Is(err, ErrFooter) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("Render = %v, want ErrFooter mentioning %q", err, tc.msg)
			}
			if f.Validate() == nil {
				t.Errorf("Validate accepted the footer Render refused")
			}
		})
	}
	if err := footer().Validate(); err != nil {
		t.Errorf("Validate(complete footer) = %v", err)
	}
	mailto := footer()
	mailto.UnsubscribeURL, mailto.PreferencesURL = "mailto:unsubscribe@acme.example?subject=unsubscribe", ""
	if _, err := c.Render(ann(), mailto); err != nil {
		t.Errorf("mailto unsubscribe without preferences refused: %v", err)
	}
}
