package main

import (
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// TestCLIVerifyOfflineNoDatabase: checking typed-in addresses offline creates no database.
func TestCLIVerifyOfflineNoDatabase(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	if out := e.ok("verify", "--offline", "ann@gmial.com").stdout; !strings.Contains(out, "did you mean ann@gmail.com?") {
		t.Errorf("verify --offline: %q", out)
	}
	e.file("list.txt", "ann@gmial.com\n")
	e.ok("verify", "--offline", "--file", "list.txt")
	if _, err := os.Stat(e.db); !os.IsNotExist(err) {
		t.Fatalf("verify --offline created the database: %v", err)
	}
}

// TestCLIVerifyFileCSV: --file is read as CSV, so a quoted name with a comma or semicolon
// before the address does not become the address.
func TestCLIVerifyFileCSV(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.file("people.csv", "name,email\n\"Smith, Ann\",ann@gmial.com\n\"Doe; Bob\",bob@example.com\n")
	out := e.ok("verify", "--offline", "--file", "people.csv").stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "ann@gmial.com") || !strings.Contains(lines[0], "did you mean ann@gmail.com?") ||
		!strings.Contains(lines[1], "bob@example.com") || strings.Contains(out, "Smith") || strings.Contains(out, "Doe") {
		t.Fatalf("verify --file of a CSV:\n%s", out)
	}
}

// TestCLIVerifyInputOrder: results come in the order of the input although the first
// address's DNS answer comes last.
func TestCLIVerifyInputOrder(t *testing.T) {
	t.Parallel()
	const others = 40
	e := newCLI(t, "")
	e.env = append(e.env, "CLEARLIST_DNS_SERVER="+gatedZone(t, others))
	args := []string{"verify", "first@slow.test"}
	for i := range others {
		args = append(args, fmt.Sprintf("u%d@d%d.test", i, i))
	}
	out := e.ok(args...).stdout
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != others+1 {
		t.Fatalf("verify printed %d lines, want %d:\n%s", len(lines), others+1, out)
	}
	for i, line := range lines {
		if f := strings.Fields(line); len(f) < 2 || f[1] != args[i+1] {
			t.Fatalf("line %d is %q, want the result for %s (input order):\n%s", i+1, line, args[i+1], out)
		}
	}
}

// gatedZone serves a DNS zone where every domain has an MX, but answers slow.test only
// after `others` other MX questions were answered.
func gatedZone(t *testing.T, others int) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	answered := map[string]bool{}
	open := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
		q := req.Question[0]
		m := new(dns.Msg)
		m.SetReply(req)
		if q.Qtype == dns.TypeMX {
			if q.Name == "slow.test." {
				<-open
			}
			m.Answer = append(m.Answer, &dns.MX{Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeMX, Class: dns.ClassINET, Ttl: 60},
				Preference: 10, Mx: "mx." + q.Name})
		}
		w.WriteMsg(m)
		if q.Qtype == dns.TypeMX && q.Name != "slow.test." {
			mu.Lock()
			if !answered[q.Name] {
				if answered[q.Name] = true; len(answered) == others {
					close(open)
				}
			}
			mu.Unlock()
		}
	})}
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	go srv.ActivateAndServe()
	<-started
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}
