package verifytest

import (
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// Records is a zone given as records in zone-file syntax, for tests of
// lookups beyond MX (TXT, PTR, A), e.g. `good.test. TXT "v=spf1 ip4:192.0.2.1 -all"`.
type Records struct {
	// RRs are the zone's records. A name with no record is NXDOMAIN; a name
	// with records of other types answers NOERROR with no records.
	RRs []string
	// ServFail are names whose queries, and their subdomains', get SERVFAIL.
	ServFail []string
	// Silent are names whose queries, and their subdomains', get no answer at
	// all, so that the client times out.
	Silent []string
}

// Serve serves the zone on 127.0.0.1 over UDP and TCP until the test ends and
// returns the address (the same port on both) for verify.DNSConfig.Server.
func (z Records) Serve(t testing.TB) string {
	t.Helper()
	byName := map[string][]dns.RR{}
	for _, s := range z.RRs {
		rr, err := dns.NewRR(s)
		if err != nil || rr == nil {
			t.Fatalf("zone record %q: %v", s, err)
		}
		name := strings.ToLower(rr.Header().Name)
		byName[name] = append(byName[name], rr)
	}
	handler := dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		q := req.Question[0]
		name := strings.ToLower(q.Name)
		if under(name, z.Silent) {
			return
		}
		m := new(dns.Msg)
		m.SetReply(req)
		rrs, ok := byName[name]
		switch {
		case under(name, z.ServFail):
			m.Rcode = dns.RcodeServerFailure
		case !ok:
			m.Rcode = dns.RcodeNameError
		}
		for _, rr := range rrs {
			if rr.Header().Rrtype == q.Qtype {
				m.Answer = append(m.Answer, rr)
			}
		}
		if m.Rcode != dns.RcodeSuccess {
			m.Answer = nil
		}
		_ = w.WriteMsg(m)
	})
	// UDP and TCP on one port: the UDP port the system picks may be taken for TCP by
	// another test's listener, so try a few.
	var pc net.PacketConn
	var ln net.Listener
	var err error
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			t.Fatal(err)
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			break
		}
		pc.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, srv := range []*dns.Server{{PacketConn: pc, Handler: handler}, {Listener: ln, Handler: handler}} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { _ = srv.ActivateAndServe() }()
		<-started
		t.Cleanup(func() { _ = srv.Shutdown() })
	}
	return pc.LocalAddr().String()
}

// under reports whether name is one of names or a subdomain of one.
func under(name string, names []string) bool {
	for _, n := range names {
		n = strings.ToLower(dns.Fqdn(n))
		if name == n || strings.HasSuffix(name, "."+n) {
			return true
		}
	}
	return false
}
