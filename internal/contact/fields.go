package contact

import (
	"fmt"
	"strings"

	"golang.org/x/text/language"
)

// Kind is what a contact is for the e-mail marketing rules (PECR and its neighbours):
// a person, a sole trader or an unincorporated partnership, or a corporate subscriber.
// The zero value is unknown: the policy then guesses from the e-mail domain.
type Kind string

// The contact kinds.
const (
	KindUnknown    Kind = ""
	KindPersonal   Kind = "personal"
	KindSoleTrader Kind = "sole_trader"
	KindCorporate  Kind = "corporate"
)

// ParseKind reads a contact_kind value: personal, sole_trader (also sole-trader) or
// corporate, in any case; "" is unknown.
func ParseKind(s string) (Kind, error) {
	switch k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), "-", "_"); k {
	case "":
		return KindUnknown, nil
	case string(KindPersonal), string(KindSoleTrader), string(KindCorporate):
		return Kind(k), nil
	}
	return "", fmt.Errorf("unknown contact kind %s: use personal, sole_trader or corporate (or leave it empty when unknown)", quoteShort(s))
}

// ParseCountry reads an ISO 3166-1 alpha-2 country code in any case and returns it
// upper-cased ("de" -> "DE"); "" is no country. UK, which the ISO reserves for the United
// Kingdom, reads as GB.
func ParseCountry(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if c == "" {
		return "", nil
	}
	if c == "UK" {
		return "GB", nil
	}
	if len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z' {
		if r, err := language.ParseRegion(c); err == nil && r.IsCountry() && r.String() == c {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown country %s: use an ISO 3166-1 two-letter country code such as GB, US or DE", quoteShort(s))
}
