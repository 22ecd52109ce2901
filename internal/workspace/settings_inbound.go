package workspace

import (
	"slices"
	"strings"
)

// SettingInboundDomains: more domains the inbound SMTP server takes mail for (the campaigns'
// reply-to domains, comma-separated), besides the workspace's bounce.domain.
const SettingInboundDomains = "inbound.domains"

// normalizeDomains checks a comma-separated list of domains and stores it lower-case,
// without blanks or repeats.
func normalizeDomains(name, value string) (string, error) {
	var out []string
	for _, part := range strings.Split(value, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		d, err := normalizeDomain(name, part)
		if err != nil {
			return "", err
		}
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return strings.Join(out, ","), nil
}
