package config

import (
	"testing"
	"time"
)

func TestInboundValidate(t *testing.T) {
	ok := Inbound{InboundAddr: ":2525", InboundMaxSize: "10MB", InboundTimeout: time.Minute, InboundMaxRecipients: 100, InboundMaxConns: 100}
	for _, tc := range []struct {
		name string
		edit func(*Inbound)
		ok   bool
	}{
		{"defaults", func(*Inbound) {}, true},
		{"off", func(c *Inbound) { *c = Inbound{} }, true},
		{"cert without key", func(c *Inbound) { c.InboundCert = "cert.pem" }, false},
		{"cert and key", func(c *Inbound) { c.InboundCert, c.InboundKey = "cert.pem", "key.pem" }, true},
		{"bad size", func(c *Inbound) { c.InboundMaxSize = "ten" }, false},
		{"huge size", func(c *Inbound) { c.InboundMaxSize = "2GB" }, false},
		{"no timeout", func(c *Inbound) { c.InboundTimeout = 0 }, false},
		{"maildir polled too often", func(c *Inbound) { c.BounceMaildir, c.BounceMaildirEvery = "/var/mail/b", time.Millisecond }, false},
	} {
		c := ok
		tc.edit(&c)
		if err := c.validateInbound(); (err == nil) != tc.ok {
			t.Errorf("%s: %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

func TestInboundMaxBytes(t *testing.T) {
	for in, want := range map[string]int{"10MB": 10 << 20, "512kb": 512 << 10, "1048576": 1 << 20, " 2 MB ": 2 << 20, "1GB": 1 << 30, "": 10 << 20} {
		got, err := (&Inbound{InboundMaxSize: in}).InboundMaxBytes()
		if err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"0", "-1MB", "MB", "1.5MB", "1TB"} {
		if _, err := (&Inbound{InboundMaxSize: in}).InboundMaxBytes(); err == nil {
			t.Errorf("%q was taken", in)
		}
	}
}
