package verify

import (
	"context"
	"errors"
)

// MailStatus is what DNS says about a domain's mail.
type MailStatus string

// Mail statuses.
const (
	MailMX       MailStatus = "mx"       // MX records name the mail exchangers
	MailImplicit MailStatus = "implicit" // no MX, but A/AAAA records: the host itself receives (RFC 5321 5.1)
	MailNullMX   MailStatus = "null-mx"  // a single MX "." (RFC 7505): the domain accepts no mail
	MailNone     MailStatus = "none"     // the name exists but has neither MX nor address records
	MailNoDomain MailStatus = "nxdomain" // the name does not exist
)

// DomainMail is the answer to LookupMail.
type DomainMail struct {
	Domain string     // the lower-case ASCII domain asked about
	Status MailStatus // what DNS said
	MX     []string   // mail exchangers, most preferred first; the domain itself for MailImplicit
}

// Receives reports whether the domain can receive mail.
func (d DomainMail) Receives() bool { return d.Status == MailMX || d.Status == MailImplicit }

// Resolver looks up where a domain's mail goes. An answer (even NXDOMAIN)
// comes back as a DomainMail; failing to get one is an error that wraps
// ErrDNSTimeout or ErrServFail where that is the cause. Implementations must
// bound their own time and be safe for concurrent use.
type Resolver interface {
	LookupMail(ctx context.Context, domain string) (DomainMail, error)
}

// Errors a Resolver wraps so that callers can tell a slow or broken name
// server (retry later) from a domain that does not exist (an answer).
var (
	ErrDNSTimeout = errors.New("DNS lookup timed out; the name server is slow or unreachable, retry later")
	ErrServFail   = errors.New("DNS server failure (SERVFAIL); the domain's name servers are broken or unreachable, retry later")
)
