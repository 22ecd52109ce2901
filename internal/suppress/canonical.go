package suppress

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/clearlist/clearlist/internal/contact"
)

// Options says how raw identifiers are read.
type Options struct {
	// Region is the ISO 3166 alpha-2 country ("US", "GB") for phone numbers
	// written without +CC; "" requires +CC.
	Region string
	// Providers are the mailbox-provider spelling rules; nil means
	// DefaultProviders(), NoProviders() applies none.
	Providers *Providers
}

func (o Options) providers() *Providers {
	if o.Providers == nil {
		return defaultProviders
	}
	return o.Providers
}

// blanks are the padding trimmed around an identifier.
const blanks = " \t\u00a0"

// Canonical returns the one spelling of an identifier that is hashed and
// compared: for an e-mail address the lower-cased local part (with the
// provider's tag and dots removed where the provider documents them) and the
// IDNA ASCII domain; for a domain its IDNA ASCII lower-case form without a
// trailing dot; for a phone number E.164. Canonical(k, Canonical(k, x)) is
// Canonical(k, x). Every error wraps ErrInvalid and says what to fix.
func Canonical(kind Kind, raw string, opts Options) (string, error) {
	switch kind {
	case KindEmail:
		return CanonicalEmail(raw, opts)
	case KindDomain:
		return CanonicalDomain(raw, opts)
	case KindPhone:
		return CanonicalPhone(raw, opts)
	}
	return "", fmt.Errorf("%w: unknown kind %q: use email, domain or phone", ErrInvalid, kind)
}

// CanonicalEmail is Canonical for one e-mail address. It accepts one bare
// address (no display name, no list) and refuses line breaks, NUL, control,
// invisible and bidirectional characters.
func CanonicalEmail(raw string, opts Options) (string, error) {
	s := strings.Trim(raw, blanks) // not TrimSpace: a line break is an error, not padding
	if strings.ContainsAny(s, "<>") {
		return "", invalid(fmt.Errorf("e-mail %s: give the bare address (name@example.com) without a display name or angle brackets", quoteShort(s)))
	}
	if strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "..") {
		s = s[:len(s)-1] // "a@example.com." names the same domain
	}
	if !isASCII(s) {
		s = norm.NFC.String(s) // composed and decomposed accents hash alike
	}
	_, c, err := contact.CanonicalEmail(s)
	if err != nil {
		return "", invalid(err)
	}
	at := strings.LastIndexByte(c, '@')
	local, domain := c[:at], c[at+1:]
	p := opts.providers()
	if r := p.rule(domain); r != nil {
		local, domain = r.local(local), p.domain(domain)
		c = local + "@" + domain
	}
	return c, nil
}

// FromContactEmail turns an address already in the import's canonical form
// (contact.CanonicalEmail: validated, lower case, ASCII domain) into the
// list's, applying only the provider rules: the cheap path for screening
// stored contacts. Non-ASCII addresses take the full CanonicalEmail.
func FromContactEmail(c string, opts Options) (string, error) {
	if !isASCII(c) {
		return CanonicalEmail(c, opts)
	}
	at := strings.LastIndexByte(c, '@')
	if at <= 0 {
		return CanonicalEmail(c, opts)
	}
	p := opts.providers()
	if r := p.rule(c[at+1:]); r != nil {
		return r.local(c[:at]) + "@" + p.domain(c[at+1:]), nil
	}
	return c, nil
}

// CanonicalDomain is Canonical for an e-mail domain: "@Example.COM." and
// "example.com" are the same; a provider's alias domain maps to its
// canonical one (googlemail.com to gmail.com), as it does inside addresses.
func CanonicalDomain(raw string, opts Options) (string, error) {
	d := strings.TrimPrefix(strings.Trim(raw, blanks), "@")
	if strings.HasSuffix(d, ".") && !strings.HasSuffix(d, "..") {
		d = d[:len(d)-1]
	}
	switch {
	case d == "":
		return "", invalid(errors.New("the domain is empty; give it as example.com"))
	case strings.IndexByte(d, '@') >= 0:
		return "", invalid(fmt.Errorf("domain %s contains @: give only the domain (example.com), or add the address as kind email", quoteShort(d)))
	}
	if !isASCII(d) {
		d = norm.NFC.String(d)
	}
	// The e-mail canonicaliser holds the one set of domain rules, so a domain
	// entry and the domain of an address always canonicalise alike.
	_, c, err := contact.CanonicalEmail("x@" + d)
	if err != nil {
		return "", invalid(fmt.Errorf("domain %s: %w", quoteShort(d), err))
	}
	return opts.providers().domain(c[2:]), nil
}

// EmailDomain returns the domain of a canonical address, which is the
// canonical form of that domain.
func EmailDomain(canonical string) string {
	return canonical[strings.LastIndexByte(canonical, '@')+1:]
}

// invalidError marks an error as bad input (ErrInvalid) without changing its
// message.
type invalidError struct{ err error }

func (e invalidError) Error() string        { return e.err.Error() }
func (e invalidError) Unwrap() error        { return e.err }
func (e invalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(err error) error { return invalidError{err} }

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// quoteShort quotes s for an error message, cut to a readable length and
// with invisible characters escaped.
func quoteShort(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "…"
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return fmt.Sprintf("%+q", s)
		}
	}
	return fmt.Sprintf("%q", s)
}
