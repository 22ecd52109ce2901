package contact

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ErrInvalidEmail is wrapped by every error CanonicalEmail returns.
var ErrInvalidEmail = errors.New("invalid e-mail address")

// ErrInvalidPhone is wrapped by every error CanonicalPhone returns.
var ErrInvalidPhone = errors.New("invalid phone number")

// Length limits from RFC 5321 (section 4.5.3.1).
const (
	maxLocalBytes  = 64
	maxDomainBytes = 255
	maxEmailBytes  = 254
	// maxRawEmailBytes bounds the work done on input that cannot be valid
	// whatever case mapping or IDNA conversion would do to it.
	maxRawEmailBytes = 1024
)

// CanonicalEmail trims raw of surrounding spaces and tabs and returns it as
// given (trimmed) and in canonical form: the local part lower-cased, "@", and
// the domain lower-cased and converted to ASCII with IDNA 2008 (lookup
// profile). Every error wraps ErrInvalidEmail and says what is wrong.
func CanonicalEmail(raw string) (given, canonical string, err error) {
	given = strings.Trim(raw, " \t\u00a0")
	if given == "" {
		return "", "", fmt.Errorf("%w: the address is empty", ErrInvalidEmail)
	}
	if len(given) > maxRawEmailBytes {
		return given, "", fmt.Errorf("%w: the address is %d bytes long; the limit is %d", ErrInvalidEmail, len(given), maxEmailBytes)
	}
	if given[0] == '"' {
		return given, "", fmt.Errorf("%w: quoted local parts (\"…\"@domain) are not supported; remove the quotes or the row", ErrInvalidEmail)
	}
	if err := checkEmailRunes(given); err != nil {
		return given, "", err
	}
	at := strings.IndexByte(given, '@')
	switch {
	case at < 0:
		return given, "", fmt.Errorf("%w: there is no @; give it as name@example.com", ErrInvalidEmail)
	case strings.IndexByte(given[at+1:], '@') >= 0:
		return given, "", fmt.Errorf("%w: there is more than one @; give one address per cell", ErrInvalidEmail)
	case at == 0:
		return given, "", fmt.Errorf("%w: the part before @ is empty", ErrInvalidEmail)
	case at == len(given)-1:
		return given, "", fmt.Errorf("%w: the domain after @ is empty", ErrInvalidEmail)
	}
	if err := checkLocal(given[:at]); err != nil {
		return given, "", err
	}
	if plainASCIIDomain(given[at+1:]) {
		// IDNA lookup of such a domain is lower-casing: do it all at once.
		canonical = strings.ToLower(given)
	} else {
		domain, err := idnaDomain(given[at+1:])
		if err != nil {
			return given, "", err
		}
		canonical = strings.ToLower(given[:at]) + "@" + domain
	}
	at = strings.LastIndexByte(canonical, '@')
	if at > maxLocalBytes {
		return given, "", fmt.Errorf("%w: the part before @ is %d bytes long; the limit is %d", ErrInvalidEmail, at, maxLocalBytes)
	}
	if err := checkDomain(canonical[at+1:]); err != nil {
		return given, "", err
	}
	if len(canonical) > maxEmailBytes {
		return given, "", fmt.Errorf("%w: the address is %d bytes long; the limit is %d", ErrInvalidEmail, len(canonical), maxEmailBytes)
	}
	return given, canonical, nil
}

// checkEmailRunes rejects invalid UTF-8, white space and invisible characters
// anywhere in the address; they are how look-alike and header-injection
// addresses are built.
func checkEmailRunes(s string) error {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ' ' || c == '\t':
				return fmt.Errorf("%w: it contains a space; remove it or split the cell if it holds two addresses", ErrInvalidEmail)
			case c < 0x20 || c == 0x7f:
				return fmt.Errorf("%w: it contains control character %U (a line break or NUL?); remove it", ErrInvalidEmail, rune(c))
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fmt.Errorf("%w: it is not valid UTF-8; check the file's encoding", ErrInvalidEmail)
		case unicode.IsSpace(r) || unicode.In(r, unicode.Zs, unicode.Zl, unicode.Zp):
			return fmt.Errorf("%w: it contains a space (%U); remove it", ErrInvalidEmail, r)
		case unicode.In(r, unicode.Cc, unicode.Cf):
			return fmt.Errorf("%w: it contains invisible control or direction character %U; remove it", ErrInvalidEmail, r)
		case unicode.In(r, unicode.Co) || !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S):
			return fmt.Errorf("%w: it contains unassigned or private-use character %U; remove it", ErrInvalidEmail, r)
		}
		i += size
	}
	return nil
}

// checkLocal checks the local part is a dot-atom (RFC 5322, extended to
// UTF-8 by RFC 6531).
func checkLocal(local string) error {
	if local[0] == '.' || local[len(local)-1] == '.' || strings.Contains(local, "..") {
		return fmt.Errorf("%w: the part before @ starts or ends with a dot or has two dots in a row", ErrInvalidEmail)
	}
	if i := strings.IndexAny(local, `()<>[]:;\,"`); i >= 0 {
		return fmt.Errorf("%w: the part before @ contains %q, which is not allowed there", ErrInvalidEmail, local[i])
	}
	return nil
}
