package verify

import (
	"regexp"
	"strings"
)

// ipv4Tail is is_email's test for an IPv4 address at the end of a literal.
var ipv4Tail = regexp.MustCompile(`\b(?:(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(?:25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)$`)

// checkLiteral diagnoses the content of a domain literal (RFC 5321 4.1.3):
// an IPv4 address, "IPv6:" and an IPv6 address (perhaps ending in IPv4), or
// anything else, which RFC 5322 allows and SMTP does not.
func checkLiteral(lit string) code {
	addr := lit
	if loc := ipv4Tail.FindStringIndex(lit); loc != nil {
		if loc[0] == 0 {
			return cAddressLiteral
		}
		addr = lit[:loc[0]] + "0:0" // the IPv4 tail stands for two IPv6 groups
	}
	if len(addr) < 5 || !strings.EqualFold(addr[:5], "IPv6:") {
		return cDomainLiteral
	}
	v6 := addr[5:]
	groups := strings.Split(v6, ":")
	worst := cValid
	raise := func(c code) { worst = max(worst, c) }
	maxGroups := 8
	switch idx := strings.Index(v6, "::"); {
	case idx < 0:
		if len(groups) != maxGroups {
			raise(cIPv6GroupCount)
		}
	case idx != strings.LastIndex(v6, "::"):
		raise(cIPv62x2xColon)
	default:
		if idx == 0 || idx == len(v6)-2 {
			maxGroups++ // "::" at either end stands in for one more group
		}
		if len(groups) > maxGroups {
			raise(cIPv6MaxGroups)
		} else if len(groups) == maxGroups {
			raise(cIPv6Deprecated) // "::" eliding a single group (RFC 5952 says don't)
		}
	}
	switch {
	case strings.HasPrefix(v6, ":") && !strings.HasPrefix(v6, "::"):
		raise(cIPv6ColonStart)
	case strings.HasSuffix(v6, ":") && !strings.HasSuffix(v6, "::"):
		raise(cIPv6ColonEnd)
	case !allHexGroups(groups):
		raise(cIPv6BadChar)
	default:
		raise(cAddressLiteral)
	}
	return worst
}

func allHexGroups(groups []string) bool {
	for _, g := range groups {
		if len(g) > 4 {
			return false
		}
		for i := 0; i < len(g); i++ {
			c := g[i]
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return false
			}
		}
	}
	return true
}
