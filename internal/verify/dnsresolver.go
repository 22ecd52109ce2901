package verify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// DNSConfig configures a DNSResolver.
type DNSConfig struct {
	// Server is the recursive name server, "host:port" (or a bare host for
	// port 53). Empty: the first nameserver of /etc/resolv.conf.
	Server string
	// Timeout bounds each query; 0 means 3 s.
	Timeout time.Duration
	// Attempts is how often a query that timed out is sent; 0 means 2.
	Attempts int
}

// DNSResolver is a Resolver that asks one recursive name server directly
// (github.com/miekg/dns), so that NXDOMAIN, SERVFAIL and timeouts stay
// distinct, which the standard library's resolver blurs.
type DNSResolver struct {
	server   string
	timeout  time.Duration
	attempts int
	udp, tcp *dns.Client
}

// NewDNSResolver returns a resolver for cfg.
func NewDNSResolver(cfg DNSConfig) (*DNSResolver, error) {
	server := cfg.Server
	if server == "" {
		conf, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(conf.Servers) == 0 {
			return nil, fmt.Errorf("no DNS server configured and none found in /etc/resolv.conf (%v); set the resolver address, e.g. 127.0.0.1:53", err)
		}
		server = net.JoinHostPort(conf.Servers[0], conf.Port)
	}
	if _, _, err := net.SplitHostPort(server); err != nil {
		server = net.JoinHostPort(server, "53")
	}
	r := &DNSResolver{server: server, timeout: cmp.Or(cfg.Timeout, 3*time.Second), attempts: max(cfg.Attempts, 1)}
	if cfg.Attempts == 0 {
		r.attempts = 2
	}
	r.udp = &dns.Client{Net: "udp", Timeout: r.timeout}
	r.tcp = &dns.Client{Net: "tcp", Timeout: r.timeout}
	return r, nil
}

// Server returns the name server the resolver asks.
func (r *DNSResolver) Server() string { return r.server }

// LookupMail asks for the domain's MX records and, when there are none, for
// its A and AAAA records (the implicit MX of RFC 5321 5.1).
func (r *DNSResolver) LookupMail(ctx context.Context, domain string) (DomainMail, error) {
	res := DomainMail{Domain: domain}
	fqdn := dns.Fqdn(domain)
	m, err := r.query(ctx, fqdn, dns.TypeMX)
	if err != nil {
		return res, fmt.Errorf("MX %s: %w", domain, err)
	}
	if m.Rcode == dns.RcodeNameError {
		res.Status = MailNoDomain
		return res, nil
	}
	var mxs []*dns.MX
	for _, rr := range m.Answer {
		if mx, ok := rr.(*dns.MX); ok {
			mxs = append(mxs, mx)
		}
	}
	if len(mxs) == 1 && mxs[0].Mx == "." {
		res.Status = MailNullMX
		return res, nil
	}
	slices.SortStableFunc(mxs, func(a, b *dns.MX) int { return cmp.Compare(a.Preference, b.Preference) })
	for _, mx := range mxs {
		if host := strings.ToLower(strings.TrimSuffix(mx.Mx, ".")); host != "" {
			res.MX = append(res.MX, host) // a "." among other MXs is ignored
		}
	}
	if len(res.MX) > 0 {
		res.Status = MailMX
		return res, nil
	}
	for _, qtype := range []uint16{dns.TypeA, dns.TypeAAAA} {
		m, err := r.query(ctx, fqdn, qtype)
		if err != nil {
			return res, fmt.Errorf("%s %s: %w", dns.TypeToString[qtype], domain, err)
		}
		for _, rr := range m.Answer {
			if rr.Header().Rrtype == qtype {
				res.Status, res.MX = MailImplicit, []string{domain}
				return res, nil
			}
		}
	}
	res.Status = MailNone
	return res, nil
}

// query sends one question, retrying over UDP on timeout and over TCP on a
// truncated answer. It returns answers with NOERROR or NXDOMAIN; any other
// rcode is an error.
func (r *DNSResolver) query(ctx context.Context, name string, qtype uint16) (*dns.Msg, error) {
	q := new(dns.Msg)
	q.SetQuestion(name, qtype)
	q.SetEdns0(1232, false)
	var m *dns.Msg
	var err error
	for range r.attempts {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%w: %w", ErrDNSTimeout, ctx.Err())
		}
		m, _, err = r.udp.ExchangeContext(ctx, q, r.server)
		if err == nil && m.Truncated {
			m, _, err = r.tcp.ExchangeContext(ctx, q, r.server)
		}
		if !isTimeout(err) {
			break
		}
	}
	switch {
	case isTimeout(err):
		return nil, fmt.Errorf("%w (server %s): %w", ErrDNSTimeout, r.server, err)
	case err != nil:
		return nil, fmt.Errorf("asking %s: %w", r.server, err)
	case m.Rcode == dns.RcodeServerFailure:
		return nil, fmt.Errorf("%w (server %s)", ErrServFail, r.server)
	case m.Rcode != dns.RcodeSuccess && m.Rcode != dns.RcodeNameError:
		return nil, fmt.Errorf("server %s answered %s; check the resolver address and that it allows recursion", r.server, dns.RcodeToString[m.Rcode])
	}
	return m, nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return err != nil && (errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded))
}
