package render

import (
	"fmt"
	"testing"
)

// renderBoth renders with the fast runner and with the engines only.
func renderBoth(c *Compiled, d Data, f Footer) (fast, engine Rendered, errFast, errEngine error) {
	fast, errFast = c.Render(d, f)
	useFast = false
	defer func() { useFast = true }()
	engine, errEngine = c.Render(d, f)
	return
}

// fastTemplates exercise what the fast runner does itself and what it leaves to the engine.
var fastTemplates = []Template{
	{Subject: newsletterSubject, Preheader: newsletterPreheader, HTML: newsletterHTML},
	{Subject: "{{upper .Contact.first_name}} {{lower .Contact.city}} {{trim .Contact.pad}}", HTML: `<p>{{default "friend" .Contact.first_name}}</p>`},
	{Subject: "{{if and .Contact.vip (eq .Contact.plan \"pro\")}}VIP pro{{else if or .Contact.vip .Contact.x}}VIP{{else}}-{{end}}",
		HTML: `<p>{{if not .Contact.vip}}not{{end}} {{if ne .Contact.plan "free"}}paid{{end}} {{len .Contact.tags}}</p>`},
	{Subject: "{{range .Contact.tags}}[{{.}}]{{else}}none{{end}}", HTML: `<ul>{{range .Contact.tags}}<li class="{{.}}">{{.}}</li>{{end}}</ul>`},
	{Subject: "{{with .Contact.address}}{{.city}}{{end}}", HTML: `<p>{{with .Contact.address}}{{.street}}, {{.city}}{{else}}no address{{end}}</p>`},
	{Subject: "{{.Contact.points}} {{.Contact.vip}} {{.Contact.tags}} {{.Contact.address}} {{.Workspace}}",
		HTML: `<p data-x="{{.Contact.points}}">{{.Contact.points}} {{.Contact.vip}} {{.Contact.tags}} {{.Contact.address}} {{3}} {{"s"}} {{true}}</p>`},
	{Subject: "s", HTML: `<title>{{.Contact.first_name}}</title><a href="{{.Contact.url}}">a</a><a href="/x?q={{.Contact.first_name}}&amp;p={{.Contact.points}}">b</a><img src="{{.Contact.url}}" alt="{{.Contact.first_name}}">`},
	{Subject: "{{printf \"%05.1f\" .Contact.points}}", HTML: `<p>{{printf "%s!" .Contact.first_name}} {{.Contact.first_name | printf "%q"}}</p><script>var n = {{.Contact.first_name}};</script><p style="color: {{.Contact.color}}">c</p>`},
	{Subject: "{{if eq .Contact.points 10}}ten{{end}}", HTML: "<p>{{index .Contact.tags 0}}</p>"},
	{Subject: `{{index .Contact "first_name"}} {{index .Contact "address" "city"}} {{index .Contact.tags 1}}`,
		HTML: `<p>{{print .Contact.points "x" .Contact.vip}} {{printf "%v/%s" .Contact.points .Contact.first_name}} {{println .Contact.tags}}</p>`},
}

var fastData = []Data{
	{},
	ann(),
	{Contact: map[string]any{
		"first_name": `Zoë <b>"&'+`, "city": "LEEDS", "pad": "  x  ", "vip": false, "plan": "free",
		"tags": []any{"a", "b<c", 3.5, nil, true}, "points": 0.0, "url": "javascript:alert(1)",
		"address": map[string]any{"street": "1 Road", "city": "York"}, "color": "red;background:url(x)",
	}, Workspace: "ws"},
	{Contact: map[string]any{
		"first_name": "\x00\uFDD0\xff", "tags": []any{}, "points": 1e21, "url": "https://a.example/x y?z=%41%zz",
		"address": "not a map", "vip": "yes", "plan": 5.0,
	}},
	{Contact: map[string]any{"points": 10, "tags": "string", "vip": []any{}, "first_name": 42.0}},
}

// TestFastMatchesEngine: the fast runner writes exactly what the engines write, or leaves the
// work to them; errors come out alike.
func TestFastMatchesEngine(t *testing.T) {
	for i, tmpl := range fastTemplates {
		c, err := Compile(tmpl)
		if err != nil {
			t.Fatalf("template %d: %v", i, err)
		}
		for j, d := range fastData {
			t.Run(fmt.Sprintf("template%d/data%d", i, j), func(t *testing.T) {
				fast, engine, errFast, errEngine := renderBoth(c, d, footer())
				if (errFast == nil) != (errEngine == nil) || (errFast != nil && errFast.Error() != errEngine.Error()) {
					t.Fatalf("errors differ: fast %v, engine %v", errFast, errEngine)
				}
				if fast != engine {
					t.Errorf("outputs differ:\nfast:   %+v\nengine: %+v", fast, engine)
				}
			})
		}
	}
}

// TestFastRunnerUsed: the newsletter's parts all run without the engines.
func TestFastRunnerUsed(t *testing.T) {
	c, err := Compile(fastTemplates[0])
	if err != nil {
		t.Fatal(err)
	}
	if c.subjectFast == nil || c.preheaderFast == nil || c.htmlFast == nil || c.textFast == nil {
		t.Errorf("fast trees: subject %v preheader %v html %v text %v",
			c.subjectFast != nil, c.preheaderFast != nil, c.htmlFast != nil, c.textFast != nil)
	}
	st := states.Get().(*renderState)
	defer states.Put(st)
	st.root = execRoot{Contact: ann().Contact, Campaign: ann().Campaign, ClearlistFooter: "f"}
	st.buf.Reset()
	st.fast.w, st.fast.root = &st.buf, &st.root
	if !st.fast.list(c.htmlFast, &st.root) {
		t.Errorf("the fast runner gave up on the newsletter")
	}
	st.fast = fastRun{}
}
