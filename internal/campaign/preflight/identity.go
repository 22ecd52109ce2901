package preflight

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// identity is the sender's domains, lower-case ASCII.
type identity struct {
	from, fromOrg string // the From domain and its organisational domain (RFC 7489 3.2)
	spf           string // the Return-Path domain
	dkim          string // the DKIM d= domain
}

// newIdentity derives the domains of s; a From without a usable domain is a
// finding of its own, since no check can run without it.
func newIdentity(s Sender) (identity, *Finding) {
	var id identity
	addr, err := mail.ParseAddress(s.From)
	if err == nil {
		_, id.from, _ = strings.Cut(addr.Address, "@")
		id.from, err = asciiDomain(id.from)
	}
	if err != nil {
		return id, &Finding{Check: CheckDMARC, Status: StatusFail,
			Message: fmt.Sprintf("the From address %q is unusable: %v", s.From, err),
			Fix:     "set the sender's From to an address on a domain you control, e.g. news@example.com"}
	}
	id.fromOrg = orgDomain(id.from)
	id.spf, id.dkim = id.from, id.from
	for _, d := range []struct {
		dst *string
		src string
	}{{&id.spf, s.ReturnPathDomain}, {&id.dkim, s.DKIMDomain}} {
		if d.src == "" {
			continue
		}
		if *d.dst, err = asciiDomain(d.src); err != nil {
			return id, &Finding{Check: CheckAlignment, Status: StatusFail,
				Message: fmt.Sprintf("the sender's domain %q is unusable: %v", d.src, err),
				Fix:     "set the Return-Path and DKIM domains to domains you control, or leave them empty to use the From domain"}
		}
	}
	return id, nil
}

// asciiDomain returns d lower-case, in its ASCII (A-label) form.
func asciiDomain(d string) (string, error) {
	d = strings.TrimSuffix(strings.TrimSpace(d), ".")
	a, err := idna.Lookup.ToASCII(d)
	if err != nil || a == "" || !strings.Contains(a, ".") {
		return "", fmt.Errorf("%q is not a domain name", d)
	}
	return strings.ToLower(a), nil
}

// orgDomain is d's organisational domain: one label below its public suffix.
func orgDomain(d string) string {
	if org, err := publicsuffix.EffectiveTLDPlusOne(d); err == nil {
		return org
	}
	return d
}

// relayInfo is a relay with the addresses receivers see its mail come from.
type relayInfo struct {
	Relay
	host string   // Addr's host
	ips  []net.IP // PublicIPs, or Addr's addresses
	err  error    // Addr's host did not resolve
	// inferred: ips are the addresses the relay is reached at, taken for
	// the ones it sends from. For a relay of an e-mail provider they often
	// are not, so what they fail is a warning, not a refusal.
	inferred bool
}

// unsure is the note a finding about an inferred address carries.
func (ri relayInfo) unsure() string {
	if !ri.inferred {
		return ""
	}
	return fmt.Sprintf(" (taking the address %s is reached at for the one it sends from)", ri.Addr)
}

// severity is how a failure about ri's addresses counts.
func (ri relayInfo) severity() string {
	if ri.inferred {
		return StatusWarn
	}
	return StatusFail
}

// unsureFix is what to do when a failure may be about the wrong address.
const unsureFix = "if the relay sends from other addresses than it is reached at (an e-mail provider's relay does), give it its public sending addresses in the relay settings"

// name is how findings refer to the relay.
func (ri relayInfo) name() string { return ri.Addr }

func resolveRelays(ctx context.Context, r Resolver, relays []Relay) []relayInfo {
	infos := make([]relayInfo, len(relays))
	for i, rl := range relays {
		ri := relayInfo{Relay: rl, ips: rl.PublicIPs, inferred: len(rl.PublicIPs) == 0}
		var err error
		if ri.host, _, err = net.SplitHostPort(rl.Addr); err != nil {
			ri.err = &badAddrError{rl.Addr}
		} else if len(ri.ips) == 0 {
			if ip := net.ParseIP(ri.host); ip != nil {
				ri.ips = []net.IP{ip}
			} else if strings.EqualFold(ri.host, "localhost") {
				ri.ips = []net.IP{net.IPv6loopback} // never sent to DNS (RFC 6761 6.3)
			} else {
				ri.ips, ri.err = r.LookupIP(ctx, ri.host)
			}
		}
		infos[i] = ri
	}
	return infos
}

// localIP reports, for an address receivers never see, why.
func localIP(ip net.IP) (string, bool) {
	switch {
	case ip.IsLoopback():
		return "on this machine", true
	case ip.IsPrivate(), ip.IsLinkLocalUnicast(), ip.IsUnspecified():
		return "on a private network", true
	}
	return "", false
}

// badAddrError is a relay address that is not host:port.
type badAddrError struct{ addr string }

func (e *badAddrError) Error() string {
	return fmt.Sprintf("the relay address %q is not host:port (e.g. smtp.example.com:587)", e.addr)
}

// unusable reports whether err says the relay cannot be reached at all (its
// address is malformed or its host does not exist), as opposed to "retry".
func unusable(err error) bool {
	var bad *badAddrError
	return errors.As(err, &bad) || notFound(err)
}
