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
	if e164, ok := fastNANP(s, region); ok {
		return e164, nil
	}
	return slowPhone(s, region)
}

// slowPhone canonicalises with the phonenumbers library.
func slowPhone(s, region string) (string, error) {
	e164, err := contact.CanonicalPhone(s, region)
	if err == nil {
		return e164, nil
	}
	if num, ok := possibleNumber(s, region); ok {
		// Only a form that reads back as itself is canonical: the library
		// strips a trunk 0 from some invalid numbers on every pass.
		e164 := phonenumbers.Format(num, phonenumbers.E164)
		if again, ok := possibleNumber(e164, ""); ok && phonenumbers.Format(again, phonenumbers.E164) == e164 {
			return e164, nil
		}
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

// fastNANP reads the common North American spellings without the
// phonenumbers parser, which costs about 13 µs a number: "+1" and ten
// digits, or, with default region US or CA, ten digits or "1" and ten
// digits; spaces, dashes, dots, slashes and parentheses anywhere. It answers
// exactly what the library would (TestFastNANPAgrees), else false.
func fastNANP(s, region string) (string, bool) {
	var d [11]byte
	n, plus := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			if n == len(d) {
				return "", false
			}
			d[n] = c
			n++
		case c == '+' && i == 0:
			plus = true
		case c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/':
		default:
			return "", false
		}
	}
	nanp := region == "US" || region == "CA"
	var ten []byte
	switch {
	case n == 11 && d[0] == '1' && (plus || nanp):
		ten = d[1:]
	case n == 10 && !plus && nanp:
		ten = d[:10]
	default:
		return "", false
	}
	if ten[0] < '2' || ten[3] < '2' {
		return "", false // area code or exchange starting 0 or 1: let the library judge
	}
	return "+1" + string(ten), true
}
