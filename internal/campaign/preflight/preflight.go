// Package preflight checks, before a campaign starts, that its sender is set
// up the way Gmail's and Yahoo's bulk-sender rules ask: SPF, DKIM and DMARC
// published, the From domain aligned, the relays' reverse DNS and TLS. Each
// finding that is not a pass says what to publish or change.
package preflight

import (
	"context"
	"crypto/tls"
	"net"
	"strings"
	"sync"
	"time"
)

// Sender is the identity a campaign sends as and the relays it sends through.
type Sender struct {
	From             string // the From address
	ReturnPathDomain string // the envelope sender's domain (SPF is checked there); empty: From's domain
	DKIMDomain       string // the signature's d=; empty: From's domain
	DKIMSelector     string // the signature's s=; empty: no DKIM signing is configured
	// DKIMPublicKey is the signing key's public half, to compare with DNS and
	// to write the record to publish: DER (PKIX, or PKCS #1 for RSA, or the
	// raw 32 bytes of an Ed25519 key) or PEM. Optional.
	DKIMPublicKey []byte
	Relays        []Relay // none: messages go to the development outbox
}

// Relay is an SMTP server the campaign's mail leaves through.
type Relay struct {
	Addr     string // host:port
	HeloName string // EHLO name; default "localhost"
	TLS      string // starttls (default), tls or none, as deliver.TLSMode
	// TLSConfig verifies the relay's certificate; nil: the system's roots
	// and Addr's host, as deliver.SMTP does.
	TLSConfig *tls.Config
	// PublicIPs are the addresses receivers see this relay's mail come from,
	// when they are not Addr's (a relay on this machine or behind NAT). They
	// are the addresses checked against SPF and reverse DNS.
	PublicIPs []net.IP
}

// The checks, in the order of a report.
const (
	CheckSPF       = "spf"
	CheckDKIM      = "dkim"
	CheckDMARC     = "dmarc"
	CheckAlignment = "alignment"
	CheckPTR       = "ptr"
	CheckTLS       = "tls"
)

// Finding statuses. Only StatusFail blocks a start.
const (
	StatusPass = "pass"
	StatusWarn = "warn" // worth fixing, or could not be checked (retry)
	StatusFail = "fail" // the providers will reject or junk the mail
	StatusSkip = "skip" // does not apply (a relay on loopback, no relay configured)
)

// Finding is the outcome of one check (of one relay, for ptr and tls).
type Finding struct {
	Check   string `json:"check"`         // spf, dkim, dmarc, alignment, ptr or tls
	Status  string `json:"status"`        // pass, warn, fail or skip
	Message string `json:"message"`       // what was found
	Fix     string `json:"fix,omitempty"` // the record to publish or what to do; empty on pass
}

// Report is the outcome of Check.
type Report struct {
	Findings []Finding `json:"findings"`
	Blocking bool      `json:"blocking"` // some finding failed: the campaign must not start
	// Outbox: no relay is configured, so the messages stay in the
	// development outbox and reach no provider; failures do not block.
	Outbox bool `json:"outbox,omitempty"`
}

// Resolver is the DNS a check asks; *verify.DNSResolver (the configured name
// server) and *net.Resolver both fit. A missing record is a *net.DNSError
// with IsNotFound; any other error means the answer is unknown.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupAddr(ctx context.Context, ip string) ([]string, error) // PTR
	LookupIP(ctx context.Context, host string) ([]net.IP, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error) // for SPF's mx mechanism
}

// Options tune Check.
type Options struct {
	// TLSTimeout bounds each relay's connection for the TLS check; 0: 10 s.
	TLSTimeout time.Duration
}

// Check runs every check of s and reports them in a fixed order. It never
// fails as a whole: what it cannot check is a warning saying to retry.
func Check(ctx context.Context, r Resolver, s Sender, opts Options) Report {
	id, bad := newIdentity(s)
	if bad != nil {
		return report([]Finding{*bad}, false)
	}
	if opts.TLSTimeout == 0 {
		opts.TLSTimeout = 10 * time.Second
	}
	relays := resolveRelays(ctx, r, s.Relays)
	// The checks are independent lookups, each possibly slow; alignment
	// reads the others' outcomes, so it runs last.
	var spf, dkim, dmarc, ptr, tlsF []Finding
	var pol dmarcPolicy
	var wg sync.WaitGroup
	wg.Go(func() { spf = checkSPF(ctx, r, id, relays) })
	wg.Go(func() { dkim = checkDKIM(ctx, r, id, s) })
	wg.Go(func() { dmarc, pol = checkDMARC(ctx, r, id) })
	wg.Go(func() { ptr = checkPTR(ctx, r, id, relays) })
	wg.Go(func() { tlsF = checkTLS(ctx, s.Relays, opts.TLSTimeout) })
	wg.Wait()
	align := checkAlignment(id, pol, worst(spf), worst(dkim))
	return report(concat(spf, dkim, dmarc, []Finding{align}, ptr, tlsF), len(s.Relays) == 0)
}

func report(fs []Finding, outbox bool) Report {
	r := Report{Findings: fs, Outbox: outbox}
	for _, f := range fs {
		r.Blocking = r.Blocking || f.Status == StatusFail && !outbox
	}
	return r
}

func concat(parts ...[]Finding) []Finding {
	var all []Finding
	for _, p := range parts {
		all = append(all, p...)
	}
	return all
}

// worst returns the most severe status among fs (fail, warn, skip, pass).
func worst(fs []Finding) string {
	rank := map[string]int{StatusPass: 0, StatusSkip: 1, StatusWarn: 2, StatusFail: 3}
	w := StatusPass
	for _, f := range fs {
		if rank[f.Status] > rank[w] {
			w = f.Status
		}
	}
	return w
}

// Text renders the report for a terminal: one line per finding, its fix
// indented below it.
func (r Report) Text() string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(strings.ToUpper(f.Status) + " " + f.Check + ": " + f.Message + "\n")
		prefix := "       fix: "
		for line := range strings.SplitSeq(f.Fix, "\n") {
			if line != "" {
				b.WriteString(prefix + line + "\n")
				prefix = strings.Repeat(" ", len(prefix))
			}
		}
	}
	switch {
	case r.Blocking:
		b.WriteString("Blocking: fix the failures above before starting the campaign.\n")
	case r.Outbox && worst(r.Findings) == StatusFail:
		b.WriteString("Not blocking: no relay is configured and messages stay in the development outbox; fix the failures before configuring one.\n")
	default:
		b.WriteString("Not blocking: the campaign may start.\n")
	}
	return b.String()
}
