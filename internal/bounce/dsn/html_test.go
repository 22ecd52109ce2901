package dsn

import (
	"regexp"
	"testing"
)

// htmlRegexps is htmlToText as it was written first, with regular expressions: the reference
// the hand-written scans must equal.
func htmlRegexps(s string) string {
	s = brRe.ReplaceAllString(s, "\n")
	s = tagRe.ReplaceAllString(s, "")
	return entities.Replace(s)
}

var (
	tagRe = regexp.MustCompile(`(?s)<(script|style)\b.*?</(script|style)>|<[^>]*>`)
	brRe  = regexp.MustCompile(`(?i)<(br|/p|/div|/tr|/li|/h\d)\b[^>]*>`)
)

var htmlCases = []string{
	"", "plain", "<p>a</p><br>b<BR/>c</DIV>d</h1>e</h1x>f</pre>g",
	"<script>x<br></script>y", "<style type=x>a</script>b</style>c", "<scripts>a</script>b",
	"<script>never closed <b>bold</b>", "a < b > c", "<br", "</p", "<<br>>", "</tr </li>x",
	"<b>Delivery&nbsp;failed:&lt;a@b&gt;</b><br />550 5.1.1 user unknown</div>",
	"<Script>x</script>y", "</h9 class=x>z", "<br\x80>", "<\xff>",
}

func TestHTMLToText(t *testing.T) {
	for _, c := range htmlCases {
		if got, want := htmlToText([]byte(c)), htmlRegexps(c); got != want {
			t.Errorf("htmlToText(%q) = %q, want %q", c, got, want)
		}
	}
}

func FuzzHTMLToText(f *testing.F) {
	for _, c := range htmlCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > maxTextKeep*2 {
			return
		}
		if got, want := htmlToText([]byte(s)), htmlRegexps(s); got != want {
			t.Errorf("htmlToText(%q) = %q, want %q", s, got, want)
		}
	})
}
