package preflight

import (
	"fmt"
	"strings"
)

// tag is one name=value pair of a DKIM key record or a DMARC record.
type tag struct{ name, value string }

// tags is a parsed tag-list, in record order.
type tags []tag

// get returns the value of the tag called name.
func (ts tags) get(name string) (string, bool) {
	for _, t := range ts {
		if t.name == name {
			return t.value, true
		}
	}
	return "", false
}

// parseTags parses a tag-list (RFC 6376 3.2, which DMARC's RFC 7489 6.4
// shares): "name=value" pairs split by ";". Names are case-sensitive and may
// not repeat; values are printable ASCII except ";", with folding white space
// inside them kept and around them dropped. Empty pairs (";;", a trailing
// ";") are skipped, as receivers do.
func parseTags(s string) (tags, error) {
	var ts tags
	for spec := range strings.SplitSeq(s, ";") {
		if strings.Trim(spec, " \t\r\n") == "" {
			continue
		}
		name, value, ok := strings.Cut(spec, "=")
		if !ok {
			return nil, fmt.Errorf("%q is not a name=value tag", strings.TrimSpace(spec))
		}
		name = strings.Trim(name, " \t\r\n")
		value = strings.Trim(value, " \t\r\n")
		if !validTagName(name) {
			return nil, fmt.Errorf("%q is not a tag name (a letter, then letters, digits or _)", name)
		}
		for _, c := range []byte(value) {
			if (c < 0x21 || c > 0x7e) && c != ' ' && c != '\t' && c != '\r' && c != '\n' {
				return nil, fmt.Errorf("tag %s: the value has a character that is not printable ASCII (%q)", name, c)
			}
		}
		if _, dup := ts.get(name); dup {
			return nil, fmt.Errorf("tag %s appears twice", name)
		}
		ts = append(ts, tag{name, value})
	}
	return ts, nil
}

func validTagName(n string) bool {
	if n == "" || !isAlpha(n[0]) {
		return false
	}
	for _, c := range []byte(n) {
		if !isAlpha(c) && !(c >= '0' && c <= '9') && c != '_' {
			return false
		}
	}
	return true
}

func isAlpha(c byte) bool { return c|0x20 >= 'a' && c|0x20 <= 'z' }
