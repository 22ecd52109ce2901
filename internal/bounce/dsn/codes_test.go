package dsn

import (
	"regexp"
	"strings"
	"testing"
)

// The expressions findStatus and findReply were first written as: the reference they must equal.
var (
	statusFindRe = regexp.MustCompile(`(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?:[^\d.]|\.\s|\.$|$)`)
	replyFindRe  = regexp.MustCompile(`(?:^|[^\d.\-:/#])([245][0-7]\d)(?:[ \-]|$)`)
)

func submatch(re *regexp.Regexp, s string) string {
	if m := re.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return ""
}

var codeCases = []string{
	"", "550 5.1.1 user unknown", "5.1.1", "5.1.1.", "5.1.1. next", "5.1.1.x 4.2.2 full", "1.5.1.1 2.0.0",
	"#5.7.1 denied", "version 2.4.10 552-5.2.2", "5.1.1234 4.4.7", "x5.5.0", "smtp; 550", "550-5.7.1",
	"a/550 b:551 c#552 d-553 e.554 599 580 450", "421\t4.4.2", "5.1.1\u00a0x", "2.0.0\n",
}

func TestFindCodes(t *testing.T) {
	for _, c := range codeCases {
		if got, want := findStatus(c), submatch(statusFindRe, c); got != want {
			t.Errorf("findStatus(%q) = %q, want %q", c, got, want)
		}
		if got, want := findReply(c), submatch(replyFindRe, c); got != want {
			t.Errorf("findReply(%q) = %q, want %q", c, got, want)
		}
	}
}

func FuzzFindCodes(f *testing.F) {
	for _, c := range codeCases {
		f.Add(c)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := findStatus(s), submatch(statusFindRe, s); got != want {
			t.Errorf("findStatus(%q) = %q, want %q", s, got, want)
		}
		if got, want := findReply(s), submatch(replyFindRe, s); got != want {
			t.Errorf("findReply(%q) = %q, want %q", s, got, want)
		}
	})
}

// collapseRunes is collapseSpace as first written, ranging over the runes: the reference.
func collapseRunes(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\v' || r == '\f' || r == 0x85 || r == 0xA0 {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

func FuzzCollapseSpace(f *testing.F) {
	for _, s := range []string{"", "  a \t b\r\n", "x\u00a0y\u0085z", "\xff \xc2", "日本 語 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapseSpace(s), collapseRunes(s); got != want {
			t.Errorf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	})
}
