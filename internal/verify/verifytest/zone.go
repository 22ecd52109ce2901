// Package verifytest serves a small DNS zone on 127.0.0.1 for tests of the packages that use
// address verification.
package verifytest

import (
	"net"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// Zone serves, until the test ends, a zone where mail.test has an MX, nullmx.test a null MX
// (RFC 7505) and every other name is NXDOMAIN, and returns the server's address for
// --dns-server / config.Config.DNSServer.
func Zone(t testing.TB) string {
	t.Helper()
	return SlowZone(t, 0)
}

// SlowZone is Zone answering each query after delay, for tests that need a verification
// still running when they act (kill the server, stop it).
func SlowZone(t testing.TB, delay time.Duration) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		time.Sleep(delay)
		m := new(dns.Msg)
		m.SetReply(req)
		q := req.Question[0]
		hdr := dns.RR_Header{Name: q.Name, Rrtype: dns.TypeMX, Class: dns.ClassINET, Ttl: 60}
		switch {
		case q.Name == "mail.test." && q.Qtype == dns.TypeMX:
			m.Answer = append(m.Answer, &dns.MX{Hdr: hdr, Preference: 10, Mx: "mx.mail.test."})
		case q.Name == "nullmx.test." && q.Qtype == dns.TypeMX:
			m.Answer = append(m.Answer, &dns.MX{Hdr: hdr, Preference: 0, Mx: "."})
		case q.Name == "mail.test." || q.Name == "nullmx.test.":
		default:
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}
