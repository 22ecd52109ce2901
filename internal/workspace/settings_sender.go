package workspace

import (
	"fmt"
	"strings"
	"unicode"
)

// normalizeLine checks a free-text setting that ends up in every message's footer: one line
// (line breaks become ", ", so a pasted address keeps its parts), no control characters,
// not empty, at most max characters.
func normalizeLine(name, value string, max int) (string, error) {
	lines := strings.FieldsFunc(value, func(r rune) bool { return r == '\n' || r == '\r' })
	parts := make([]string, 0, len(lines))
	for _, l := range lines {
		if l = strings.Join(strings.Fields(l), " "); l != "" {
			parts = append(parts, strings.TrimRight(l, ","))
		}
	}
	v := strings.Join(parts, ", ")
	if v == "" {
		return "", fmt.Errorf("setting %s: give a value, e.g. clearlist setting set %s \"…\"", name, name)
	}
	if strings.IndexFunc(v, unicode.IsControl) >= 0 {
		return "", fmt.Errorf("setting %s: control characters are not allowed", name)
	}
	if len([]rune(v)) > max {
		return "", fmt.Errorf("setting %s: at most %d characters", name, max)
	}
	return v, nil
}

// normalizeDomain checks a domain name setting and returns it in lower case.
func normalizeDomain(name, value string) (string, error) {
	d := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(value)), ".")
	labels := strings.Split(d, ".")
	ok := len(d) <= 253 && len(labels) >= 2
	for _, l := range labels {
		ok = ok && l != "" && len(l) <= 63 && l[0] != '-' && l[len(l)-1] != '-'
		for _, c := range l {
			ok = ok && (c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-')
		}
	}
	if !ok {
		return "", fmt.Errorf("setting %s: give a domain name such as bounces.example.com, not %q", name, value)
	}
	return d, nil
}
