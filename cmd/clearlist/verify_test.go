package main

import (
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// zoneServer answers MX for mail.test, a null MX for nullmx.test and NXDOMAIN otherwise, on
// 127.0.0.1.
func zoneServer(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
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

// TestCLIVerify: offline checks with diagnoses and suggestions, import --verify against a
// local DNS server, and the verdict reaching `check`.
func TestCLIVerify(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.env = append(e.env, "CLEARLIST_DNS_SERVER="+zoneServer(t))
	out := e.ok("verify", "--offline", "ann@gmial.com", "bad@@example.com", "info@example.com").stdout
	for _, want := range []string{"did you mean ann@gmail.com?", "undeliverable bad@@example.com  (syntax)", "risky         info@example.com  (role)"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --offline: no %q in\n%s", want, out)
		}
	}
	e.fails(1, "give addresses, or one of", "verify")
	e.fails(1, "verify.probe", "verify", "--probe", "ann@mail.test")
	e.file("people.csv", "email\nann@mail.test\nbob@nullmx.test\ncy@gone.test\n")
	r := e.ok("import", "--list", "people", "--source-type", "web-form-double-opt-in", "--verify", "people.csv")
	if !strings.Contains(r.stderr, "verified 3 addresses") || !strings.Contains(r.stderr, "2 undeliverable") {
		t.Fatalf("import --verify:\n%s", r.stderr)
	}
	e.ok("consent", "add", "--email", "bob@nullmx.test", "--purpose", "newsletter", "--action", "granted", "--wording", "Yes please")
	if r := e.run("check", "--email", "bob@nullmx.test", "--purpose", "newsletter"); r.code != exitRefused || !strings.Contains(r.stdout, "vfy-01") {
		t.Fatalf("check of an undeliverable address: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Checked moments ago: nothing is due; with --days 0 all three are checked again.
	if out := e.ok("verify", "--list", "people").stdout; out != "" {
		t.Fatalf("nothing should be due:\n%s", out)
	}
	if r := e.ok("verify", "--list", "people", "--days", "0"); !strings.Contains(r.stderr, "3 checked: 1 deliverable, 0 risky, 2 undeliverable, 0 unknown") {
		t.Fatalf("re-verification:\n%s\n%s", r.stdout, r.stderr)
	}
}
