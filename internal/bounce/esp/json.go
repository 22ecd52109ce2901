package esp

import (
	"encoding/json"
	"errors"
	"strings"
	"time"
	"unicode/utf8"
)

// maxDepth bounds JSON nesting: the providers' payloads are a few levels deep, and a
// stranger's deeply nested body should cost nothing.
const maxDepth = 32

// maxEvents bounds the events of one request (a SendGrid batch).
const maxEvents = 10000

var errDepth = errors.New("too deeply nested")

// decodeJSON reads body into v after checking it is nested at most maxDepth deep; the
// error says only what is wrong with the body. json.Unmarshal refuses anything but one
// JSON value.
func decodeJSON(body []byte, v any) error {
	if tooDeep(body) {
		return badRequest("the body's JSON is " + errDepth.Error())
	}
	if err := json.Unmarshal(body, v); err != nil {
		if _, ok := errors.AsType[*json.SyntaxError](err); ok {
			return badRequest("the body is not valid JSON")
		}
		return badRequest("the body's JSON is not in the provider's event format")
	}
	return nil
}

// tooDeep scans for brackets outside strings: nesting beyond maxDepth is refused before
// the decoder recurses into it.
func tooDeep(b []byte) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			if depth++; depth > maxDepth {
				return true
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return false
}

// clip bounds a provider's text field kept in an event, on a rune boundary, without
// control characters other than tab.
func clip(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
	s = strings.TrimSpace(s)
	if len(s) <= max {
		return s
	}
	s = s[:max]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

// Field bounds.
const (
	maxAddress    = 320
	maxDiagnostic = 1000
	maxID         = 200
)

// address is a recipient's address as reported, bounded and lower-cased domain not assumed:
// the bounce service normalises it.
func address(s string) string { return clip(s, maxAddress) }

// messageID strips the angle brackets of a Message-ID.
func messageID(s string) string {
	return clip(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(s), "<"), ">"), maxID*2)
}

// unixTime turns seconds since the epoch (with a fraction) into a time; 0 or absurd is zero.
func unixTime(sec float64) time.Time {
	if sec <= 0 || sec > 1e11 {
		return time.Time{}
	}
	whole := int64(sec)
	return time.Unix(whole, int64((sec-float64(whole))*1e9)).UTC()
}
