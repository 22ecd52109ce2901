package render

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// footer is a complete footer for tests.
func footer() Footer {
	return Footer{
		SenderName:     "Acme Tools Ltd",
		PostalAddress:  "1 Mill Lane\nLeeds LS1 4AB\nUnited Kingdom",
		UnsubscribeURL: "https://mail.acme.example/u/tok123",
		PreferencesURL: "https://mail.acme.example/p/tok123",
	}
}

func liFooter() Footer {
	f := footer()
	f.LegitimateInterest = true
	f.ProcessingNotice = "We process your business contact details on the basis of legitimate interest (GDPR Art. 6(1)(f)); you may object at any time."
	f.WhyYouGetThis = "You get this because you bought a drill from us on 3 March 2026."
	return f
}

func ann() Data {
	return Data{
		Contact: map[string]any{
			"first_name": "Ann", "last_name": "O'Neil", "email": "ann@example.org",
			"city": "Leeds", "plan": "pro", "vip": true, "points": 1250.0,
		},
		Campaign:  map[string]any{"name": "Spring sale", "shop_url": "https://shop.acme.example/spring"},
		Workspace: "acme",
	}
}

// goldenCases render a template for a recipient; the result is compared with testdata/NAME.golden.
var goldenCases = []struct {
	name string
	tmpl Template
	data Data
	foot Footer
}{
	{
		name: "fragment",
		tmpl: Template{
			Subject: "Hello {{.Contact.first_name}}",
			HTML:    `<p>Hello {{.Contact.first_name}},</p><p>Your plan: <b>{{.Contact.plan}}</b>.</p>`,
		},
		data: ann(), foot: footer(),
	},
	{
		name: "newsletter",
		tmpl: Template{Subject: newsletterSubject, Preheader: newsletterPreheader, HTML: newsletterHTML},
		data: ann(), foot: footer(),
	},
	{
		name: "newsletter_not_vip",
		tmpl: Template{Subject: newsletterSubject, Preheader: newsletterPreheader, HTML: newsletterHTML},
		data: Data{Contact: map[string]any{"first_name": "Bob", "email": "bob@example.org"},
			Campaign: map[string]any{"shop_url": "https://shop.acme.example/spring"}},
		foot: footer(),
	},
	{
		name: "legitimate_interest",
		tmpl: Template{Subject: "News", HTML: `<p>Dear {{.Contact.first_name}},</p><p>our new catalogue is out.</p>`},
		data: ann(), foot: liFooter(),
	},
	{
		name: "markdown",
		tmpl: Template{Subject: "{{.Campaign.name}}", Markdown: markdownBody},
		data: ann(), foot: footer(),
	},
	{
		name: "markdown_not_pro",
		tmpl: Template{Subject: "{{.Campaign.name}}", Markdown: markdownBody},
		data: Data{Contact: map[string]any{"first_name": "Bob", "plan": "free"}, Campaign: ann().Campaign},
		foot: footer(),
	},
	{
		name: "explicit_text",
		tmpl: Template{
			Subject: "Hi",
			HTML:    `<p>Hi {{.Contact.first_name}}</p>`,
			Text:    "Hi {{.Contact.first_name}}{{if .Contact.vip}} (VIP){{end}}, {{.Contact.nothing}}see you.\n\n\n",
		},
		data: ann(), foot: footer(),
	},
	{
		name: "conditional_attributes",
		tmpl: Template{
			Subject: "Hi",
			HTML: `<style>.gold { color: #c90 } td { padding: 4px }</style>
<table><tr><td {{if .Contact.vip}}class="gold"{{else}}class="plain"{{end}}>Status</td>
<td class="{{if .Contact.vip}}gold{{end}}">{{.Contact.plan}}</td></tr></table>`,
		},
		data: ann(), foot: footer(),
	},
	{
		name: "escaping",
		tmpl: Template{
			Subject:   "{{.Contact.first_name}} {{.Contact.inject}}",
			Preheader: "{{.Contact.first_name}}",
			HTML: `<p title="{{.Contact.first_name}}">{{.Contact.first_name}} {{.Contact.inject}}</p>` +
				`<a href="{{.Contact.url}}">site</a> <a href="https://x.example/?q={{.Contact.first_name}}">search</a>`,
		},
		data: Data{Contact: map[string]any{
			"first_name": `<script>alert("x")</script>`,
			"inject":     "{{.Contact.email}}",
			"email":      "secret@example.org",
			"url":        "javascript:alert(1)",
		}},
		foot: Footer{
			SenderName: "A <b>&</b> B", PostalAddress: `"Road" 1 <img src=x onerror=alert(1)>`,
			UnsubscribeURL: `https://u.example/u?a=1&b="2"`,
		},
	},
}

const newsletterSubject = "{{.Contact.first_name}}, {{.Campaign.name}} starts now"
const newsletterPreheader = "Up to 30% off for {{if .Contact.vip}}our VIPs{{else}}you{{end}}"

func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Compile(tc.tmpl)
			if err != nil {
				t.Fatalf("Compile: %v", err)
			}
			r, err := c.Render(tc.data, tc.foot)
			if err != nil {
				t.Fatalf("Render: %v", err)
			}
			got := "Subject: " + r.Subject + "\nPreheader: " + r.Preheader +
				"\n==== HTML\n" + r.HTML + "\n==== Text\n" + r.Text
			path := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("%s differs (-want +got); go test -update rewrites it:\n%s", path, diff)
			}
			if strings.Contains(got, "<no value>") {
				t.Errorf("a missing key printed <no value>")
			}
		})
	}
}

// TestRenderService: a service message renders as Render does (escaping, one-line subject,
// CSS inlined, derived text) but carries no footer in either part, and needs none.
func TestRenderService(t *testing.T) {
	c, err := Compile(Template{Subject: "Order {{.Contact.order}}",
		HTML: `<style>p.total{color:#c00}</style><p>Hi {{.Contact.first_name}}</p><p class="total">Total {{.Contact.total}}</p>`})
	if err != nil {
		t.Fatal(err)
	}
	d := Data{Contact: map[string]any{"first_name": "<script>x</script>", "order": "A-1\r\nBcc: x@example.com", "total": "9.50"}}
	r, err := c.RenderService(d)
	if err != nil {
		t.Fatal(err)
	}
	if r.Subject != "Order A-1 Bcc: x@example.com" {
		t.Errorf("subject %q", r.Subject)
	}
	if strings.Contains(r.HTML, "<script>") || !strings.Contains(r.HTML, "&lt;script&gt;") || !strings.Contains(r.HTML, `style="color:#c00"`) {
		t.Errorf("html:\n%s", r.HTML)
	}
	if !strings.Contains(r.Text, "Total 9.50") || strings.Contains(r.Text, "<p") || strings.Contains(r.Text, "&lt;") { // plain text: no markup, no entities
		t.Errorf("text:\n%s", r.Text)
	}
	for _, part := range []string{r.HTML, r.Text} {
		for _, w := range []string{english.SentBy, english.Unsubscribe, english.Preferences} {
			if strings.Contains(part, w) {
				t.Errorf("a service message carries the footer's %q:\n%s", w, part)
			}
		}
	}
	full, err := c.Render(d, footer())
	if err != nil || !strings.Contains(full.Text, english.Unsubscribe) || full.Subject != r.Subject {
		t.Errorf("Render after RenderService: %+v, %v", full, err)
	}
}
