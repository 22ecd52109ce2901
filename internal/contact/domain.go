package contact

import (
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// idnaDomain converts a domain to ASCII with the IDNA 2008 lookup profile,
// which also lower-cases it.
func idnaDomain(domain string) (string, error) {
	if domain[0] == '[' {
		return "", fmt.Errorf("%w: address literals like [192.0.2.1] are not accepted; use a domain name", ErrInvalidEmail)
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", fmt.Errorf("%w: the domain %s is not a valid domain name (%v)", ErrInvalidEmail, quoteShort(domain), err)
	}
	return ascii, nil
}

// checkDomain applies the DNS length rules to an ASCII domain and asks for
// a dot and a name, not a number, at the end.
func checkDomain(ascii string) error {
	if len(ascii) > maxDomainBytes {
		return fmt.Errorf("%w: the domain is %d bytes long; the limit is %d", ErrInvalidEmail, len(ascii), maxDomainBytes)
	}
	last := strings.LastIndexByte(ascii, '.')
	if last < 0 {
		return fmt.Errorf("%w: the domain %q has no dot; give the full domain, like example.com", ErrInvalidEmail, ascii)
	}
	for label := range strings.SplitSeq(ascii, ".") {
		if label == "" {
			return fmt.Errorf("%w: the domain %q has an empty label (two dots in a row, or a dot at the start or end)", ErrInvalidEmail, ascii)
		}
		if len(label) > 63 {
			return fmt.Errorf("%w: a label of the domain is %d bytes long; the limit is 63", ErrInvalidEmail, len(label))
		}
	}
	if allDigits(ascii[last+1:]) {
		return fmt.Errorf("%w: the domain %q ends in a number; give a domain name, not an IP address", ErrInvalidEmail, ascii)
	}
	return nil
}

// plainASCIIDomain reports the common case: a domain of ASCII letters,
// digits, hyphens and dots with no punycode or other reserved labels, for
// which IDNA lookup is exactly lower-casing (the label and length rules are
// checked by checkDomain).
func plainASCIIDomain(d string) bool {
	labelStart := 0
	for i := 0; i <= len(d); i++ {
		if i == len(d) || d[i] == '.' {
			label := d[labelStart:i]
			if label != "" && (label[0] == '-' || label[len(label)-1] == '-') {
				return false
			}
			if len(label) >= 4 && label[2] == '-' && label[3] == '-' {
				return false // "xn--" and other reserved forms: let idna decide
			}
			labelStart = i + 1
			continue
		}
		c := d[i] | 0x20 // ASCII lower case; maps no other byte into a-z
		if (c < 'a' || c > 'z') && (d[i] < '0' || d[i] > '9') && d[i] != '-' {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
