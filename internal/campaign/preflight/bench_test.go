package preflight

import (
	"context"
	"net"
	"testing"
)

// BenchmarkCheck is one whole pre-flight of a correct sender against the
// test name server on 127.0.0.1 (SPF with an include, DKIM, DMARC, PTR and
// forward confirmation, a STARTTLS relay).
func BenchmarkCheck(b *testing.B) {
	r := resolver(b, testZone(b))
	addr, clientTLS := startRelay(b, startTLSRelay)
	s := Sender{From: "news@include.test", DKIMSelector: "sel", DKIMPublicKey: pubKey(b, "rsa2048"),
		Relays: []Relay{{Addr: addr, TLSConfig: clientTLS, PublicIPs: []net.IP{net.ParseIP("192.0.2.10")}}}}
	ctx := context.Background()
	for b.Loop() {
		if rep := Check(ctx, r, s, Options{}); rep.Blocking {
			b.Fatal(rep.Text())
		}
	}
}

// BenchmarkParseKeyRecord is the DKIM record's parse: tags, base64, RSA-2048.
func BenchmarkParseKeyRecord(b *testing.B) {
	rec := dkimValue(mustKey(b, pubKey(b, "rsa2048")))
	for b.Loop() {
		if _, _, bad := parseKeyRecord(rec); bad != "" {
			b.Fatal(bad)
		}
	}
}
