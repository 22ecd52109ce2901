package render

import (
	"html"
	"strings"
	"testing"
)

// bodyText renders html and returns the text part without its footer.
func bodyText(t *testing.T, html string, d Data) string {
	t.Helper()
	c, err := Compile(Template{Subject: "s", HTML: html})
	if err != nil {
		t.Fatalf("Compile(%q): %v", html, err)
	}
	r, err := c.Render(d, footer())
	if err != nil {
		t.Fatal(err)
	}
	text, _, found := strings.Cut(r.Text, "\n\n--\n")
	if !found {
		t.Fatalf("no footer separator in %q", r.Text)
	}
	return text
}

func TestDerivedText(t *testing.T) {
	cases := []struct{ name, html, want string }{
		{"paragraphs", "<p>One\n   two</p><p>Three</p>", "One two\n\nThree"},
		{"line breaks", "<p>a<br>b<br><br>c</p>", "a\nb\n\nc"},
		{"link", `<p>See <a href="https://x.example/a">our shop</a>.</p>`, "See our shop (https://x.example/a)."},
		{"link showing its URL", `<a href="https://x.example/">https://x.example/</a>`, "https://x.example/"},
		{"mailto link", `<a href="mailto:help@x.example">write to us</a>`, "write to us (help@x.example)"},
		{"image link", `<a href="https://x.example/"><img src="logo.png" alt="Logo"></a>`, "https://x.example/"},
		{"anchor link", `<a href="#top">top</a>`, "top"},
		{"unordered list", "<ul><li>a</li><li>b</li></ul>", "- a\n- b"},
		{"ordered list", "<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"},
		{"nested list", "<ul><li>a<ul><li>b</li></ul></li></ul>", "- a\n  - b"},
		{"headings", "<h1>Title</h1><p>text</p><h2>Sub</h2>", "Title\n\ntext\n\nSub"},
		{"table cells", "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"hidden and head", `<html><head><title>T</title><style>p{}</style></head><body><div style="display: none">pre</div><p>shown</p><script>x</script></body></html>`, "shown"},
		{"pre", "<pre>a  b\n  c</pre>", "a  b\n  c"},
		{"entities", "<p>Fish &amp; chips &lt;3 &#123;&#123;.Contact.email&#125;&#125;</p>", "Fish & chips <3 {{.Contact.email}}"},
		{"actions", "<p>Hi {{.Contact.first_name}}!</p>{{if .Contact.vip}}<p>VIP</p>{{end}}<p>Bye</p>", "Hi Ann!\n\nVIP\n\nBye"},
		{"action in a link", `<a href="{{.Campaign.shop_url}}?c={{.Contact.city}}">Shop</a>`, "Shop (https://shop.acme.example/spring?c=Leeds)"},
		{"condition around rows", "<table>{{if .Contact.vip}}<tr><td>VIP</td></tr>{{end}}<tr><td>all</td></tr></table>", "VIP\nall"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := bodyText(t, tc.html, ann()); got != tc.want {
				t.Errorf("text of %q\n got %q\nwant %q", tc.html, got, tc.want)
			}
		})
	}
}

// TestDerivedTextConditions: a condition taken or not leaves the same spacing.
func TestDerivedTextConditions(t *testing.T) {
	html := "<p>a</p>{{if .Contact.vip}}<p>VIP</p>{{end}}<p>b</p><table>{{if .Contact.vip}}<tr><td>x</td></tr>{{end}}<tr><td>y</td></tr></table>"
	if got := bodyText(t, html, Data{}); got != "a\n\nb\n\ny" {
		t.Errorf("not VIP: %q", got)
	}
	if got := bodyText(t, html, ann()); got != "a\n\nVIP\n\nb\n\nx\ny" {
		t.Errorf("VIP: %q", got)
	}
}

// TestTextFallback: a body whose text template cannot be derived (an action left out with its
// element) gets its text converted from each rendered HTML instead.
func TestTextFallback(t *testing.T) {
	c, err := Compile(Template{Subject: "s", HTML: `<p>Hi {{.Contact.first_name}}</p><div style="display:none">x{{if .Contact.vip}}</div><div>{{end}}<p>gold</p></div>`})
	if err != nil {
		t.Fatal(err)
	}
	if !c.textFromHTML {
		t.Fatalf("the text template was derived; this test wants the fallback")
	}
	r, err := c.Render(ann(), footer())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(r.Text, "Hi Ann\n\ngold\n\n--\n") {
		t.Errorf("text %q", r.Text)
	}
}

// TestDerivedTextLinksMatchHTML: a link's target in the text part is the one in the HTML part.
func TestDerivedTextLinksMatchHTML(t *testing.T) {
	c, err := Compile(Template{Subject: "s", HTML: `<p><a href="{{.Contact.v}}">a</a> <a href="https://x.example/{{.Contact.v}}/p?q={{.Contact.v}}&amp;r=1#{{.Contact.v}}">b</a> <a href="mailto:{{.Contact.v}}">c</a></p>`})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"ann@example.org", "https://y.example/a b?c=d&e=%41", "javascript:alert(1)", `x"<>'+ é`, ""} {
		r, err := c.Render(Data{Contact: map[string]any{"v": v}}, footer())
		if err != nil {
			t.Fatal(err)
		}
		for _, label := range []string{"a", "b", "c"} {
			i := strings.Index(r.HTML, `">`+label+`</a>`)
			j := strings.LastIndex(r.HTML[:i], `href="`)
			href := html.UnescapeString(r.HTML[j+6 : i])
			href = strings.TrimPrefix(href, "mailto:")
			if href != "" && !strings.Contains(r.Text, label+" ("+href+")") {
				t.Errorf("value %q: link %s is %q in HTML; text:\n%s", v, label, href, r.Text)
			}
		}
	}
}
