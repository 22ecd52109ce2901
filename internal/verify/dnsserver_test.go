package verify

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// testDNS is a real DNS server (github.com/miekg/dns) on a random UDP port
// of 127.0.0.1, answering from a small synthetic zone under .test.
type testDNS struct {
	addr string
	slow time.Duration // how long slow.test takes to answer; set before serving

	mu      sync.Mutex
	queries map[string]int // "MX nx.test." -> count
}

// startDNS serves the zone until the test ends; slow.test answers after slow:
//
//	mx.test         MX 20 mx2.mx.test, MX 10 mx1.mx.test
//	a-only.test     A 127.0.0.1 (no MX)
//	aaaa-only.test  AAAA ::1 (no MX)
//	null.test       MX 0 . (RFC 7505)
//	nomail.test     exists, no MX, A or AAAA
//	nx.test         NXDOMAIN
//	servfail.test   SERVFAIL
//	slow.test       MX, after slow
//	io              MX 10 mx.io (a TLD with mail, as is_email's test@io)
//	d<N>.bulk.test  MX 10 mx.d<N>.bulk.test, for any N
func startDNS(t testing.TB, slow time.Duration) *testDNS {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen for DNS: %v", err)
	}
	s := &testDNS{addr: pc.LocalAddr().String(), slow: slow, queries: map[string]int{}}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(s.serve)}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	t.Cleanup(func() { _ = srv.Shutdown() })
	return s
}

// count returns how many queries of qtype ("MX", "A") for name arrived.
func (s *testDNS) count(qtype, name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.queries[qtype+" "+dns.Fqdn(name)]
}

// total returns how many queries of qtype arrived for names ending in suffix.
func (s *testDNS) total(qtype, suffix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.queries {
		if strings.HasPrefix(k, qtype+" ") && strings.HasSuffix(k, dns.Fqdn(suffix)) {
			n += v
		}
	}
	return n
}

func (s *testDNS) serve(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	q := req.Question[0]
	name := strings.ToLower(q.Name)
	s.mu.Lock()
	s.queries[dns.TypeToString[q.Qtype]+" "+name]++
	s.mu.Unlock()
	hdr := func(t uint16) dns.RR_Header {
		return dns.RR_Header{Name: q.Name, Rrtype: t, Class: dns.ClassINET, Ttl: 300}
	}
	mx := func(pref uint16, host string) dns.RR {
		return &dns.MX{Hdr: hdr(dns.TypeMX), Preference: pref, Mx: host}
	}
	switch {
	case name == "mx.test." && q.Qtype == dns.TypeMX:
		m.Answer = []dns.RR{mx(20, "mx2.mx.test."), mx(10, "mx1.mx.test.")}
	case name == "a-only.test." && q.Qtype == dns.TypeA:
		m.Answer = []dns.RR{&dns.A{Hdr: hdr(dns.TypeA), A: net.IPv4(127, 0, 0, 1)}}
	case name == "aaaa-only.test." && q.Qtype == dns.TypeAAAA:
		m.Answer = []dns.RR{&dns.AAAA{Hdr: hdr(dns.TypeAAAA), AAAA: net.IPv6loopback}}
	case name == "null.test." && q.Qtype == dns.TypeMX:
		m.Answer = []dns.RR{mx(0, ".")}
	case name == "nx.test.":
		m.Rcode = dns.RcodeNameError
	case name == "servfail.test.":
		m.Rcode = dns.RcodeServerFailure
	case name == "slow.test.":
		time.Sleep(s.slow)
		m.Answer = []dns.RR{mx(10, "mx.slow.test.")}
	case name == "io." && q.Qtype == dns.TypeMX:
		m.Answer = []dns.RR{mx(10, "mx.io.")}
	case strings.HasSuffix(name, ".bulk.test.") && q.Qtype == dns.TypeMX:
		m.Answer = []dns.RR{mx(10, "mx."+name)}
	case strings.HasSuffix(name, ".test.") || name == "io.":
		// The name exists but has no record of this type (NODATA).
	default:
		m.Rcode = dns.RcodeNameError
	}
	_ = w.WriteMsg(m)
}
