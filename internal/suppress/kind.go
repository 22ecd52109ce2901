package suppress

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is what an entry identifies: an e-mail address, an e-mail domain or a
// phone number.
type Kind string

// The kinds of identifier the list holds.
const (
	KindEmail  Kind = "email"
	KindDomain Kind = "domain"
	KindPhone  Kind = "phone"
)

// Kinds lists every kind, in the order they are documented.
func Kinds() []Kind { return []Kind{KindEmail, KindDomain, KindPhone} }

// ErrInvalid is wrapped by every error about a malformed kind, scope, reason,
// intake channel or entry, so callers can answer "bad input".
var ErrInvalid = errors.New("invalid suppression input")

// Valid reports whether k is one of the kinds.
func (k Kind) Valid() bool {
	return k == KindEmail || k == KindDomain || k == KindPhone
}

// ParseKind reads a kind as a user types it ("email", "E-mail", "domain",
// "phone"); the error lists the accepted values.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "email", "e-mail", "address":
		return KindEmail, nil
	case "domain":
		return KindDomain, nil
	case "phone", "tel", "telephone":
		return KindPhone, nil
	}
	return "", fmt.Errorf("%w: unknown kind %q: use email, domain or phone", ErrInvalid, s)
}
