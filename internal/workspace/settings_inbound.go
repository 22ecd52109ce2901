package workspace

import (
	"context"
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

// InboundDomains are the recipient domains the inbound SMTP server takes mail for: every
// workspace's bounce.domain and inbound.domains, sorted, each once.
func (s *Service) InboundDomains(ctx context.Context) ([]string, error) {
	var out []string
	for _, name := range []string{SettingBounceDomain, SettingInboundDomains} {
		all, err := s.st.SettingOfAll(ctx, name)
		if err != nil {
			return nil, err
		}
		for _, v := range all {
			for _, d := range strings.Split(v, ",") {
				if d = strings.TrimSpace(d); d != "" && !slices.Contains(out, d) {
					out = append(out, d)
				}
			}
		}
	}
	slices.Sort(out)
	return out, nil
}
