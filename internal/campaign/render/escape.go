package render

// The escapers below are html/template's (Go 1.26, src/html/template/html.go and url.go,
// BSD-style licence, Copyright The Go Authors), restricted to the values campaign data holds,
// so that the fast runner (fast.go) writes exactly what html/template writes. Values of
// html/template's other content types (URL, CSS, JS, HTMLAttr…) are left to the engine.

import (
	"fmt"
	htmpl "html/template"
	"strings"
	"unicode/utf8"
)

type contentKind uint8

const (
	kindPlain contentKind = iota
	kindHTML
)

// stringify is html/template's stringify for plain values and template.HTML.
func stringify(args []any) (string, contentKind, bool) {
	if len(args) == 1 {
		switch s := args[0].(type) {
		case string:
			return s, kindPlain, true
		case htmpl.HTML:
			return string(s), kindHTML, true
		}
	}
	kept := make([]any, 0, len(args))
	for _, a := range args {
		if a == nil {
			continue // html/template skips untyped nil (Go issue 25875)
		}
		if !plain(a) {
			return "", 0, false
		}
		kept = append(kept, a)
	}
	return fmt.Sprint(kept...), kindPlain, true
}

// escaper wraps an escaper for fastFuncs; those that treat template.HTML specially (other
// than passing it through) are left to the engine for it.
func escaperFor(f func(string) string, passHTML bool) fastFunc {
	return func(a []any) (any, bool) {
		s, kind, ok := stringify(a)
		if !ok {
			return nil, false
		}
		if kind == kindHTML {
			return s, passHTML
		}
		return f(s), true
	}
}

var htmlReplacementTable = []string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// htmlReplace is htmlReplacer(s, htmlReplacementTable, true).
func htmlReplace(s string) string {
	written := 0
	var b strings.Builder
	r, w := rune(0), 0
	for i := 0; i < len(s); i += w {
		r, w = utf8.DecodeRuneInString(s[i:])
		if int(r) < len(htmlReplacementTable) {
			if repl := htmlReplacementTable[r]; len(repl) != 0 {
				if written == 0 {
					b.Grow(len(s))
				}
				b.WriteString(s[written:i])
				b.WriteString(repl)
				written = i + w
			}
		}
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

// urlFilter is html/template's urlFilter for plain values.
func urlFilter(s string) string {
	if !isSafeURL(s) {
		return "#ZgotmplZ"
	}
	return s
}

func isSafeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		if !strings.EqualFold(protocol, "http") && !strings.EqualFold(protocol, "https") && !strings.EqualFold(protocol, "mailto") {
			return false
		}
	}
	return true
}

// urlProcess is html/template's urlProcessor for plain values: normalize (norm) or escape.
func urlProcess(norm bool, s string) string {
	var b strings.Builder
	written := 0
	for i, n := 0, len(s); i < n; i++ {
		c := s[i]
		switch c {
		case '!', '#', '$', '&', '*', '+', ',', '/', ':', ';', '=', '?', '@', '[', ']':
			if norm {
				continue
			}
		case '-', '.', '_', '~':
			continue
		case '%':
			if norm && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
				continue
			}
		default:
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
				continue
			}
		}
		if written == 0 {
			b.Grow(len(s) + 16)
		}
		b.WriteString(s[written:i])
		b.WriteByte('%')
		b.WriteByte(lowerHex[c>>4])
		b.WriteByte(lowerHex[c&15])
		written = i + 1
	}
	if written == 0 {
		return s
	}
	b.WriteString(s[written:])
	return b.String()
}

const lowerHex = "0123456789abcdef"

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
