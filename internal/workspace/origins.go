package workspace

import (
	"fmt"
	"net/url"
	"strings"
)

// ParseOrigins reads a comma-separated list of web origins (scheme://host[:port], http or
// https, nothing else) as the Origin header states them, lower-cased and without duplicates.
func ParseOrigins(v string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, raw := range strings.Split(v, ",") {
		raw = strings.TrimSpace(raw)
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Host, "*") {
			return nil, fmt.Errorf("%q is not a web origin: give scheme and host only, e.g. https://www.example.com", raw)
		}
		o := strings.ToLower(u.Scheme + "://" + u.Host)
		if !seen[o] {
			seen[o] = true
			out = append(out, o)
		}
	}
	return out, nil
}
