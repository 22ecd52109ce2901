package preflight

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
)

// notFound reports whether err says the record does not exist (an answer),
// rather than that no answer came (retry).
func notFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}

// retry is the finding for a lookup that got no answer: nothing is known, so
// it is neither a pass nor a failure.
func retry(check, what string, err error) Finding {
	return Finding{Check: check, Status: StatusWarn,
		Message: fmt.Sprintf("could not check %s: %v", what, err),
		Fix:     "retry the pre-flight; if this persists, check the DNS server setting and the domain's name servers"}
}

// lookupTXT returns name's TXT records; a missing name or record is no
// records and no error.
func lookupTXT(ctx context.Context, r Resolver, name string) ([]string, error) {
	txts, err := r.LookupTXT(ctx, name)
	if notFound(err) {
		return nil, nil
	}
	return txts, err
}

// txtRecord writes a TXT record in zone-file syntax, its value split into
// strings of at most 255 bytes as DNS requires (RFC 1035 3.3.14); receivers
// join them again (RFC 7208 3.3, RFC 6376 3.6.2.2).
func txtRecord(name, value string) string {
	var parts []string
	for len(value) > 255 {
		parts = append(parts, `"`+value[:255]+`"`)
		value = value[255:]
	}
	parts = append(parts, `"`+value+`"`)
	return name + ". IN TXT " + strings.Join(parts, " ")
}

// spfResolver adapts a Resolver to blitiri.com.ar/go/spf, which tells
// missing records from temporary failures by *net.DNSError's flags alone.
type spfResolver struct{ Resolver }

func (s spfResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	txts, err := s.Resolver.LookupTXT(ctx, name)
	return txts, dnsError(name, err)
}

func (s spfResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	mxs, err := s.Resolver.LookupMX(ctx, name)
	return mxs, dnsError(name, err)
}

func (s spfResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	names, err := s.Resolver.LookupAddr(ctx, addr)
	return names, dnsError(addr, err)
}

func (s spfResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	ips, err := s.Resolver.LookupIP(ctx, host)
	addrs := make([]net.IPAddr, len(ips))
	for i, ip := range ips {
		addrs[i] = net.IPAddr{IP: ip}
	}
	return addrs, dnsError(host, err)
}

// dnsError returns err as the *net.DNSError itself (the spf package asserts
// the type, it does not unwrap), treating an error of another kind as
// temporary: an unknown answer must not read as "no record".
func dnsError(name string, err error) error {
	if err == nil {
		return nil
	}
	var de *net.DNSError
	if errors.As(err, &de) {
		return de
	}
	return &net.DNSError{Err: err.Error(), Name: name, IsTemporary: true, UnwrapErr: err}
}
