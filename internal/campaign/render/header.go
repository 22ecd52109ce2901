package render

import (
	"strings"
	"unicode/utf8"
)

// cleanLine makes a rendered subject or preheader safe for a header: each run of control
// characters (C0 including CR, LF and tab, DEL, C1, U+2028, U+2029) and spaces becomes one
// space, the ends are trimmed, and invalid UTF-8 becomes U+FFFD. A value that needs none of
// this is returned as it is, without allocating.
func cleanLine(s string) string {
	if isCleanLine(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if r == ' ' || isControl(r) {
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r) // utf8.RuneError for invalid bytes: U+FFFD
	}
	return b.String()
}

// isCleanLine is the fast path: valid UTF-8, no control characters, no leading, trailing or
// double spaces.
func isCleanLine(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x80 {
			if c < ' ' || c == 0x7f || (c == ' ' && prevSpace) {
				return false
			}
			prevSpace = c == ' '
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 || isControl(r) {
			return false
		}
		prevSpace = false
		i += n - 1
	}
	return true
}

func isControl(r rune) bool {
	return r < ' ' || (r >= 0x7f && r <= 0x9f) || r == '\u2028' || r == '\u2029'
}
