package render

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// TestInlinerDropsAnAction: markup the HTML parser rewrites so that an action would be lost is
// refused with the action's line, not rendered without it.
func TestInlinerDropsAnAction(t *testing.T) {
	_, err := Compile(Template{Subject: "s", HTML: "<p>a</p>\n<p class=\"a\" class=\"{{.Contact.x}}\">b</p>"})
	var te *Error
	if !errors.As(err, &te) || te.Part != "html" || te.Line != 2 || !strings.Contains(te.Msg, "cannot inline the CSS around {{.Contact.x}}") {
		t.Fatalf("Compile = %v, want an inlining error at html line 2", err)
	}
}

// TestPlaceholderWordInSource: a source that spells out the placeholder word keeps it.
func TestPlaceholderWordInSource(t *testing.T) {
	c, err := Compile(Template{Subject: "s", HTML: "<p>clph0x clphq1x {{.Contact.first_name}}</p>"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Render(ann(), footer())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.HTML, "<p>clph0x clphq1x Ann</p>") || !strings.HasPrefix(r.Text, "clph0x clphq1x Ann") {
		t.Errorf("placeholder words changed:\n%s\n%s", r.HTML, r.Text)
	}
}

// TestActionsInStyleAndHead: actions in a <style> (left as it is), in the title and in
// attributes survive the inliner.
func TestActionsInStyleAndHead(t *testing.T) {
	c, err := Compile(Template{Subject: "s", HTML: `<html><head><title>{{.Campaign.name}}</title>
<style>.brand { color: {{.Campaign.color}} }</style><style>p { margin: 0 }</style></head>
<body><p class="brand" data-id="{{.Contact.id}}">x</p></body></html>`})
	if err != nil {
		t.Fatal(err)
	}
	r, err := c.Render(Data{Contact: map[string]any{"id": "7"}, Campaign: map[string]any{"name": "N", "color": "#123456"}}, footer())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>N</title>", ".brand { color: #123456 }", `<p class="brand" data-id="7" style="margin:0">x</p>`} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, r.HTML)
		}
	}
	if strings.Contains(r.HTML, "data-premailer") {
		t.Errorf("the inliner's marker was left in the HTML")
	}
}

// TestConcurrentRender renders one compiled template from many goroutines (go test -race).
func TestConcurrentRender(t *testing.T) {
	c, err := Compile(Template{Subject: newsletterSubject, Preheader: newsletterPreheader, HTML: newsletterHTML})
	if err != nil {
		t.Fatal(err)
	}
	want, err := c.Render(ann(), footer())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				got, err := c.Render(ann(), footer())
				if err != nil || got != want {
					t.Errorf("concurrent render differs or fails: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
}
