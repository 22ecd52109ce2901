package render

import (
	"strconv"
	"testing"
)

// BenchmarkRender renders the ~5 KB newsletter (five personalisation fields, a VIP block,
// derived text) with a footer whose unsubscribe link differs per recipient, as a campaign does.
func BenchmarkRender(b *testing.B) {
	c, err := Compile(Template{Subject: newsletterSubject, Preheader: newsletterPreheader, HTML: newsletterHTML})
	if err != nil {
		b.Fatal(err)
	}
	d := ann()
	f := footer()
	r, err := c.Render(d, f)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(r.HTML)+len(r.Text)), "bytes/msg")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		f.UnsubscribeURL = "https://mail.acme.example/u/tok" + strconv.Itoa(i&1023)
		if _, err := c.Render(d, f); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderParallel is BenchmarkRender on all cores, as the send workers run it.
func BenchmarkRenderParallel(b *testing.B) {
	c, err := Compile(Template{Subject: newsletterSubject, Preheader: newsletterPreheader, HTML: newsletterHTML})
	if err != nil {
		b.Fatal(err)
	}
	d, f := ann(), footer()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Render(d, f); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkCompile is the once-per-campaign cost: parse, inline the CSS, derive the text.
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(Template{Subject: newsletterSubject, Preheader: newsletterPreheader, HTML: newsletterHTML}); err != nil {
			b.Fatal(err)
		}
	}
}
