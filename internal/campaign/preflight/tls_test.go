package preflight

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"
)

func TestCheckTLS(t *testing.T) {
	plain, _ := startRelay(t, plainRelay)
	starttls, trustStartTLS := startRelay(t, startTLSRelay)
	implicit, trustImplicit := startRelay(t, implicitRelay)
	down := closedPort(t)
	silent := silentServer(t)
	for _, tc := range []struct {
		name   string
		relay  Relay
		status string
		has    string
	}{
		{"STARTTLS", Relay{Addr: starttls, TLS: "starttls", TLSConfig: trustStartTLS}, StatusPass, "offers STARTTLS (TLS 1.3)"},
		{"STARTTLS by default", Relay{Addr: starttls, TLSConfig: trustStartTLS}, StatusPass, "offers STARTTLS"},
		{"no STARTTLS offered", Relay{Addr: plain, TLS: "starttls"}, StatusFail, "does not offer STARTTLS"},
		{"STARTTLS, untrusted certificate", Relay{Addr: starttls, TLS: "starttls"}, StatusFail, "handshake failed"},
		{"implicit TLS", Relay{Addr: implicit, TLS: "tls", TLSConfig: trustImplicit}, StatusPass, "implicit TLS (TLS 1.3)"},
		{"implicit TLS, untrusted certificate", Relay{Addr: implicit, TLS: "tls"}, StatusFail, "certificate valid for 127.0.0.1"},
		{"implicit TLS to a plain relay", Relay{Addr: plain, TLS: "tls", TLSConfig: trustImplicit}, StatusFail, "handshake failed"},
		{"none on loopback", Relay{Addr: plain, TLS: "none"}, StatusWarn, "on this machine and used without TLS"},
		{"none on loopback, STARTTLS offered", Relay{Addr: starttls, TLS: "none"}, StatusWarn, "set the relay's TLS mode to starttls"},
		{"address without port", Relay{Addr: "127.0.0.1"}, StatusFail, "not host:port"},
		{"unknown mode", Relay{Addr: plain, TLS: "ssl"}, StatusFail, `TLS mode "ssl"`},
		{"relay down", Relay{Addr: down, TLSConfig: trustStartTLS}, StatusWarn, "could not check relay"},
		{"relay never greets", Relay{Addr: silent, TLSConfig: trustStartTLS}, StatusWarn, "could not check relay"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := checkTLS(context.Background(), []Relay{tc.relay}, time.Second)
			if len(fs) != 1 {
				t.Fatalf("%d findings, want 1: %v", len(fs), fs)
			}
			f := fs[0]
			if f.Check != CheckTLS || f.Status != tc.status || !strings.Contains(f.Message+"\n"+f.Fix, tc.has) {
				t.Errorf("got %s %s: %s (fix: %s); want %s with %q", f.Check, f.Status, f.Message, f.Fix, tc.status, tc.has)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.2": true, "::1": true, "localhost": true, "LOCALHOST": true,
		"192.0.2.1": false, "smtp.example.com": false, "10.0.0.1": false,
	} {
		if got := isLoopback(host); got != want {
			t.Errorf("isLoopback(%q) = %v", host, got)
		}
	}
}

// closedPort is an address on 127.0.0.1 where nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// silentServer accepts connections and never answers, as a wedged relay.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}
