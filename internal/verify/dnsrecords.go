package verify

import (
	"cmp"
	"context"
	"errors"
	"net"
	"strings"

	"github.com/miekg/dns"
)

// The lookups below give DNSResolver the method set of *net.Resolver that the
// sender-authentication checks (and blitiri.com.ar/go/spf) use, asked of the
// configured name server. Failures are *net.DNSError values, as the standard
// library's are, so that code written for *net.Resolver tells "no such
// record" (IsNotFound) from "retry later" (IsTemporary); the latter also wrap
// ErrDNSTimeout or ErrServFail for errors.Is.

// LookupTXT returns the TXT records of name, each record's strings joined
// into one (RFC 7208 3.3, RFC 6376 3.6.2.2).
func (r *DNSResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	rrs, err := r.records(ctx, name, dns.TypeTXT)
	var txts []string
	for _, rr := range rrs {
		txts = append(txts, strings.Join(rr.(*dns.TXT).Txt, ""))
	}
	return txts, err
}

// LookupAddr returns the names the PTR records of ip point to, with their
// trailing dot, as net.Resolver.LookupAddr does.
func (r *DNSResolver) LookupAddr(ctx context.Context, ip string) ([]string, error) {
	rev, err := dns.ReverseAddr(ip)
	if err != nil {
		return nil, &net.DNSError{Err: "not an IP address", Name: ip}
	}
	rrs, err := r.records(ctx, rev, dns.TypePTR)
	var names []string
	for _, rr := range rrs {
		names = append(names, rr.(*dns.PTR).Ptr)
	}
	return names, err
}

// LookupIP returns host's IPv4 and IPv6 addresses.
func (r *DNSResolver) LookupIP(ctx context.Context, host string) ([]net.IP, error) {
	var ips []net.IP
	var notFound error
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		rrs, err := r.records(ctx, host, qtype)
		if err != nil && !isNotFound(err) {
			return nil, err
		}
		notFound = cmp.Or(notFound, err)
		for _, rr := range rrs {
			switch rr := rr.(type) {
			case *dns.A:
				ips = append(ips, rr.A)
			case *dns.AAAA:
				ips = append(ips, rr.AAAA)
			}
		}
	}
	if len(ips) == 0 {
		return nil, notFound
	}
	return ips, nil
}

// LookupIPAddr is LookupIP in the shape of net.Resolver.LookupIPAddr.
func (r *DNSResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	ips, err := r.LookupIP(ctx, host)
	addrs := make([]net.IPAddr, len(ips))
	for i, ip := range ips {
		addrs[i] = net.IPAddr{IP: ip}
	}
	return addrs, err
}

// LookupMX returns name's MX records in the order the server gave them.
func (r *DNSResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	rrs, err := r.records(ctx, name, dns.TypeMX)
	var mxs []*net.MX
	for _, rr := range rrs {
		mx := rr.(*dns.MX)
		mxs = append(mxs, &net.MX{Host: mx.Mx, Pref: mx.Preference})
	}
	return mxs, err
}

// records asks for name's records of qtype. NXDOMAIN and an answer without
// such records are both a *net.DNSError with IsNotFound, as in package net.
func (r *DNSResolver) records(ctx context.Context, name string, qtype uint16) ([]dns.RR, error) {
	fqdn := dns.Fqdn(name)
	m, err := r.query(ctx, fqdn, qtype)
	if err != nil {
		de := &net.DNSError{Err: err.Error(), Name: name, Server: r.server, UnwrapErr: err}
		for _, e := range []error{ErrDNSTimeout, ErrServFail} {
			if errors.Is(err, e) {
				de.Err, de.IsTemporary = e.Error(), true // the server is already in de
			}
		}
		de.IsTimeout = errors.Is(err, ErrDNSTimeout)
		return nil, de
	}
	var rrs []dns.RR
	for _, rr := range m.Answer {
		if rr.Header().Rrtype == qtype {
			rrs = append(rrs, rr)
		}
	}
	if len(rrs) == 0 {
		msg := "no " + dns.TypeToString[qtype] + " record"
		if m.Rcode == dns.RcodeNameError {
			msg = "no such host"
		}
		return nil, &net.DNSError{Err: msg, Name: name, Server: r.server, IsNotFound: true}
	}
	return rrs, nil
}

func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}
