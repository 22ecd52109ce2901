package contact

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// maxPhoneBytes matches the phonenumbers library's own input limit.
const maxPhoneBytes = 250

// CanonicalPhone parses raw as a phone number, using defaultRegion (ISO 3166
// alpha-2 such as "US" or "GB"; "" means the number must start with +CC) for
// numbers written without a country code, and returns it in E.164 form
// ("+14155550123"). Every error about the number wraps ErrInvalidPhone.
func CanonicalPhone(raw, defaultRegion string) (string, error) {
	region, err := checkRegion(defaultRegion)
	if err != nil {
		return "", err
	}
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return "", fmt.Errorf("%w: the number is empty", ErrInvalidPhone)
	case len(s) > maxPhoneBytes:
		return "", fmt.Errorf("%w: %d bytes is too long for a phone number", ErrInvalidPhone, len(s))
	case !utf8.ValidString(s):
		return "", fmt.Errorf("%w: it is not valid UTF-8; check the file's encoding", ErrInvalidPhone)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return "", fmt.Errorf("%w: it contains control character %U; remove it", ErrInvalidPhone, r)
		}
	}
	num, err := parsePhone(s, region)
	if err != nil {
		if errors.Is(err, phonenumbers.ErrInvalidCountryCode) {
			if region == "" && !strings.HasPrefix(s, "+") {
				return "", fmt.Errorf("%w: number has no country code; give it as +CC… or set --default-region", ErrInvalidPhone)
			}
			return "", fmt.Errorf("%w: the country code is not valid", ErrInvalidPhone)
		}
		return "", fmt.Errorf("%w: %v", ErrInvalidPhone, err)
	}
	if !phonenumbers.IsValidNumber(num) {
		return "", fmt.Errorf("%w: %q is not a valid number for its country; check the digits and the country code", ErrInvalidPhone, s)
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// parsePhone calls the library and turns a panic on odd input into an error,
// so that one bad cell cannot stop an import.
func parsePhone(s, region string) (num *phonenumbers.PhoneNumber, err error) {
	defer func() {
		if r := recover(); r != nil {
			num, err = nil, fmt.Errorf("the number could not be parsed")
		}
	}()
	return phonenumbers.Parse(s, region)
}

// CheckRegion returns a default region for phone numbers upper-cased, or an error saying
// what to give instead; "" (no default region) is valid.
func CheckRegion(region string) (string, error) { return checkRegion(region) }

// checkRegion upper-cases a default region and checks the library knows it.
func checkRegion(region string) (string, error) {
	if region == "" {
		return "", nil
	}
	r := strings.ToUpper(strings.TrimSpace(region))
	if !phonenumbers.GetSupportedRegions()[r] {
		return "", fmt.Errorf("unknown default region %q: use an ISO 3166 two-letter country code such as US, GB or DE", region)
	}
	return r, nil
}
