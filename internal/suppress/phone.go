package suppress

import (
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/clearlist/clearlist/internal/contact"
)

// CanonicalPhone is Canonical for a phone number: E.164 ("+14155550123").
// Any formatting is accepted (spaces, dots, dashes, parentheses, a "tel:"
// prefix); a number without +CC needs opts.Region. A number the metadata
// does not know as valid is still accepted when its length is possible for
// its country: a request to stop calling must not be refused because a new
// number range is missing from the library.
func CanonicalPhone(raw string, opts Options) (string, error) {
	s := strings.Trim(raw, blanks)
	if len(s) >= 4 && strings.EqualFold(s[:4], "tel:") {
		s = strings.Trim(s[4:], blanks)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return "", invalid(fmt.Errorf("phone number %s contains control character %U (a line break or NUL?); remove it", quoteShort(s), rune(s[i])))
		}
	}
	region := strings.ToUpper(strings.TrimSpace(opts.Region))
	if region != "" && !phonenumbers.GetSupportedRegions()[region] {
		return "", invalid(fmt.Errorf("unknown default region %q: use an ISO 3166 two-letter country code such as US, GB or DE", opts.Region))
	}
	if region == "" && s != "" && !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "\uff0b") {
		return "", invalid(fmt.Errorf("phone number %s has no country code: write it with +CC (e.g. +1 415 555 0123) or give a default region such as US", quoteShort(s)))
	}
	e164, err := contact.CanonicalPhone(s, region)
	if err == nil {
		return e164, nil
	}
	if num, ok := possibleNumber(s, region); ok {
		return phonenumbers.Format(num, phonenumbers.E164), nil
	}
	return "", invalid(err)
}

// possibleNumber parses s and accepts it when its length is possible for
// its country (not merely for a local call).
func possibleNumber(s, region string) (num *phonenumbers.PhoneNumber, ok bool) {
	defer func() {
		if recover() != nil {
			num, ok = nil, false
		}
	}()
	if len(s) > 250 {
		return nil, false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return nil, false
		}
	}
	num, err := phonenumbers.Parse(s, region)
	if err != nil || num.GetCountryCode() == 0 {
		return nil, false
	}
	return num, phonenumbers.IsPossibleNumberWithReason(num) == phonenumbers.IS_POSSIBLE
}
