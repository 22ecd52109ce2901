package preflight

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/verify/verifytest"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// testZone is the DNS of the table's sender domains; 192.0.2.10 is the
// relays' public address (PTR mail.good.test, which resolves back), 192.0.2.20
// has no PTR, 192.0.2.30's PTR names a host that resolves elsewhere.
func testZone(t testing.TB) verifytest.Records {
	good := pubKey(t, "rsa2048")
	spf := func(d, rec string) string { return d + `. TXT "` + rec + `"` }
	dkim := func(d string, key []byte) string { return keyRecord(t, "sel._domainkey."+d, key) }
	dmarc := func(d, rec string) string { return "_dmarc." + d + `. TXT "` + rec + `"` }
	std := func(d string, parts ...string) []string {
		var rrs []string
		if slices.Contains(parts, "spf") {
			rrs = append(rrs, spf(d, "v=spf1 ip4:192.0.2.0/24 -all"))
		}
		if slices.Contains(parts, "dkim") {
			rrs = append(rrs, dkim(d, good))
		}
		if slices.Contains(parts, "dmarc") {
			rrs = append(rrs, dmarc(d, "v=DMARC1; p=reject; rua=mailto:dmarc@"+d))
		}
		return rrs
	}
	rrs := slices.Concat(
		std("good.test", "spf", "dkim", "dmarc"),
		[]string{
			`good.test. TXT "google-site-verification=abc"`,
			`10.2.0.192.in-addr.arpa. PTR mail.good.test.`,
			`mail.good.test. A 192.0.2.10`,
			`30.2.0.192.in-addr.arpa. PTR liar.good.test.`,
			`liar.good.test. A 192.0.2.31`,
			`_spf.provider.test. TXT "v=spf1 ip4:192.0.2.0/24 -all"`,
		},
		std("nospf.test", "dkim", "dmarc"), []string{`nospf.test. TXT "some other text"`},
		std("twospf.test", "dkim", "dmarc"), []string{
			spf("twospf.test", "v=spf1 ip4:192.0.2.10 -all"),
			spf("twospf.test", "v=spf1 include:_spf.provider.test ~all"),
		},
		std("plusall.test", "dkim", "dmarc"), []string{spf("plusall.test", "v=spf1 ip4:192.0.2.10 +all")},
		std("bareall.test", "dkim", "dmarc"), []string{spf("bareall.test", "v=spf1 all")},
		std("narrow.test", "dkim", "dmarc"), []string{spf("narrow.test", "v=spf1 ip4:198.51.100.1 ~all")},
		std("include.test", "dkim", "dmarc"), []string{spf("include.test", "v=spf1 include:_spf.provider.test -all")},
		std("mx.test", "dkim", "dmarc"), []string{spf("mx.test", "v=spf1 mx -all"), `mx.test. MX 10 mail.good.test.`},
		std("loop.test", "dkim", "dmarc"), []string{spf("loop.test", "v=spf1 include:loop.test -all")},
		std("nodkim.test", "spf", "dmarc"),
		std("weak.test", "spf", "dmarc"), []string{dkim("weak.test", pubKey(t, "rsa1024"))},
		std("tiny.test", "spf", "dmarc"), []string{dkim("tiny.test", pubKey(t, "rsa512"))},
		std("mismatch.test", "spf", "dmarc"), []string{dkim("mismatch.test", pubKey(t, "other2048"))},
		std("ed.test", "spf", "dmarc"), []string{dkim("ed.test", edKey())},
		std("revoked.test", "spf", "dmarc"), []string{`sel._domainkey.revoked.test. TXT "v=DKIM1; k=rsa; p="`},
		std("testing.test", "spf", "dmarc"), []string{
			txtRecord("sel._domainkey.testing.test", "v=DKIM1; t=y; "+strings.TrimPrefix(dkimValue(mustKey(t, good)), "v=DKIM1; "))},
		std("nodmarc.test", "spf", "dkim"),
		std("nop.test", "spf", "dkim"), []string{dmarc("nop.test", "v=DMARC1; rua=mailto:d@nop.test")},
		std("twodmarc.test", "spf", "dkim", "dmarc"), []string{dmarc("twodmarc.test", "v=DMARC1; p=none")},
		std("monitor.test", "spf", "dkim"), []string{dmarc("monitor.test", "v=DMARC1; p=none")},
		std("other.test", "spf", "dkim", "dmarc"),
		std("strict.test", "spf", "dkim"), []string{dmarc("strict.test", "v=DMARC1; p=reject; adkim=s; aspf=s")},
	)
	return verifytest.Records{RRs: rrs, ServFail: []string{"servfail.test"}, Silent: []string{"slow.test"}}
}

func mustKey(t testing.TB, pemKey []byte) any {
	k, err := parseOurKey(pemKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// summary is a report as "check:status" per finding, in order.
func summary(r Report) string {
	var s []string
	for _, f := range r.Findings {
		s = append(s, f.Check+":"+f.Status)
	}
	return strings.Join(s, " ")
}

const allPass = "spf:pass spf:pass dkim:pass dmarc:pass alignment:pass ptr:pass tls:pass"

func TestCheck(t *testing.T) {
	r := resolver(t, testZone(t))
	addr, clientTLS := startRelay(t, startTLSRelay)
	relay := func(ips ...string) []Relay {
		rl := Relay{Addr: addr, HeloName: "mail.good.test", TLS: "starttls", TLSConfig: clientTLS}
		for _, ip := range ips {
			rl.PublicIPs = append(rl.PublicIPs, net.ParseIP(ip))
		}
		return []Relay{rl}
	}
	good := pubKey(t, "rsa2048")
	sender := func(domain string) Sender {
		return Sender{From: "News <news@" + domain + ">", DKIMSelector: "sel", DKIMPublicKey: good, Relays: relay("192.0.2.10")}
	}
	with := func(s Sender, f func(*Sender)) Sender { f(&s); return s }
	for _, tc := range []struct {
		name     string
		sender   Sender
		want     string // summary
		blocking bool
		has      string // in some message or fix
	}{
		{"all good", sender("good.test"), allPass, false, `good.test publishes "v=spf1 ip4:192.0.2.0/24 -all"`},
		{"SPF through include", sender("include.test"), allPass, false, "authorises 192.0.2.10"},
		{"SPF through mx", sender("mx.test"), allPass, false, "authorises 192.0.2.10"},
		{"Ed25519 key", with(sender("ed.test"), func(s *Sender) { s.DKIMPublicKey = edKey() }), allPass, false, "an Ed25519 key"},
		{"no SPF", sender("nospf.test"),
			"spf:fail dkim:pass dmarc:pass alignment:pass ptr:pass tls:pass", true,
			`nospf.test. IN TXT "v=spf1 ip4:192.0.2.10 -all"`},
		{"two SPF records", sender("twospf.test"),
			"spf:fail dkim:pass dmarc:pass alignment:pass ptr:pass tls:pass", true,
			`twospf.test. IN TXT "v=spf1 ip4:192.0.2.10 include:_spf.provider.test -all"`},
		{"+all", sender("plusall.test"),
			"spf:fail dkim:pass dmarc:pass alignment:pass ptr:pass tls:pass", true,
			`plusall.test. IN TXT "v=spf1 ip4:192.0.2.10 -all"`},
		{"all without qualifier", sender("bareall.test"),
			"spf:fail dkim:pass dmarc:pass alignment:pass ptr:pass tls:pass", true, "+all"},
		{"SPF not covering the relay", sender("narrow.test"),
			"spf:pass spf:fail dkim:pass dmarc:pass alignment:pass ptr:pass tls:pass", true,
			`narrow.test. IN TXT "v=spf1 ip4:198.51.100.1 ip4:192.0.2.10 ~all"`},
		{"SPF include loop", sender("loop.test"),
			"spf:pass spf:fail dkim:pass dmarc:pass alignment:pass ptr:pass tls:pass", true, "cannot be evaluated"},
		{"no DKIM key", sender("nodkim.test"),
			"spf:pass spf:pass dkim:fail dmarc:pass alignment:pass ptr:pass tls:pass", true,
			`sel._domainkey.nodkim.test. IN TXT "v=DKIM1; k=rsa; p=MIIBIjAN`},
		{"no DKIM signing", with(sender("good.test"), func(s *Sender) { s.DKIMSelector = "" }),
			"spf:pass spf:pass dkim:fail dmarc:pass alignment:pass ptr:pass tls:pass", true, "SELECTOR._domainkey.good.test"},
		{"weak key", with(sender("weak.test"), func(s *Sender) { s.DKIMPublicKey = pubKey(t, "rsa1024") }),
			"spf:pass spf:pass dkim:warn dmarc:pass alignment:pass ptr:pass tls:pass", false, "1024 bits"},
		{"tiny key", with(sender("tiny.test"), func(s *Sender) { s.DKIMPublicKey = nil }),
			"spf:pass spf:pass dkim:fail dmarc:pass alignment:pass ptr:pass tls:pass", true, "512 bits"},
		{"key mismatch", sender("mismatch.test"),
			"spf:pass spf:pass dkim:fail dmarc:pass alignment:pass ptr:pass tls:pass", true, "not the signing key"},
		{"revoked key", sender("revoked.test"),
			"spf:pass spf:pass dkim:fail dmarc:pass alignment:pass ptr:pass tls:pass", true, "revoked"},
		{"testing key", sender("testing.test"),
			"spf:pass spf:pass dkim:warn dmarc:pass alignment:pass ptr:pass tls:pass", false, "t=y"},
		{"no DKIM, misaligned SPF", with(sender("nodkim.test"), func(s *Sender) { s.ReturnPathDomain = "other.test" }),
			"spf:pass spf:pass dkim:fail dmarc:pass alignment:fail ptr:pass tls:pass", true, "whose check failed"},
		{"no DMARC", sender("nodmarc.test"),
			"spf:pass spf:pass dkim:pass dmarc:fail alignment:pass ptr:pass tls:pass", true,
			`_dmarc.nodmarc.test. IN TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@nodmarc.test"`},
		{"DMARC without p=", sender("nop.test"),
			"spf:pass spf:pass dkim:pass dmarc:fail alignment:pass ptr:pass tls:pass", true,
			`_dmarc.nop.test. IN TXT "v=DMARC1; p=none; rua=mailto:d@nop.test"`},
		{"two DMARC records", sender("twodmarc.test"),
			"spf:pass spf:pass dkim:pass dmarc:fail alignment:pass ptr:pass tls:pass", true, "apply none"},
		{"DMARC p=none", sender("monitor.test"), allPass, false, "p=none only monitors"},
		{"DMARC on the organisational domain only",
			with(sender("sub.good.test"), func(s *Sender) { s.ReturnPathDomain, s.DKIMDomain = "good.test", "good.test" }),
			allPass, false, "organisational domain's record, which covers sub.good.test"},
		{"misaligned From", with(sender("good.test"), func(s *Sender) { s.ReturnPathDomain, s.DKIMDomain = "other.test", "other.test" }),
			"spf:pass spf:pass dkim:pass dmarc:pass alignment:fail ptr:pass tls:pass", true, "aligned with neither"},
		{"strict alignment, subdomain From",
			with(sender("sub.strict.test"), func(s *Sender) { s.ReturnPathDomain, s.DKIMDomain = "strict.test", "strict.test" }),
			"spf:pass spf:pass dkim:pass dmarc:pass alignment:fail ptr:pass tls:pass", true, "(strict)"},
		{"no PTR", with(sender("good.test"), func(s *Sender) { s.Relays = relay("192.0.2.20") }),
			"spf:pass spf:pass dkim:pass dmarc:pass alignment:pass ptr:fail tls:pass", true,
			"to mail.good.test, and publish\nmail.good.test. IN A 192.0.2.20"},
		{"PTR not forward-confirmed", with(sender("good.test"), func(s *Sender) { s.Relays = relay("192.0.2.30") }),
			"spf:pass spf:pass dkim:pass dmarc:pass alignment:pass ptr:fail tls:pass", true, "liar.good.test. IN A 192.0.2.30"},
		{"relay on loopback", with(sender("good.test"), func(s *Sender) { s.Relays = relay() }),
			"spf:pass spf:skip dkim:pass dmarc:pass alignment:pass ptr:skip tls:pass", false, "on this machine"},
		{"no relay", with(sender("good.test"), func(s *Sender) { s.Relays = nil }),
			"spf:pass spf:skip dkim:pass dmarc:pass alignment:pass ptr:skip tls:skip", false, "development outbox"},
		{"no relay, failures do not block", with(sender("nodmarc.test"), func(s *Sender) { s.Relays = nil }),
			"spf:pass spf:skip dkim:pass dmarc:fail alignment:pass ptr:skip tls:skip", false, "no DMARC record"},
		{"DNS timeout", sender("slow.test"),
			"spf:warn dkim:warn dmarc:warn alignment:warn ptr:pass tls:pass", false, "could not check"},
		{"SERVFAIL", sender("servfail.test"),
			"spf:warn dkim:warn dmarc:warn alignment:warn ptr:pass tls:pass", false, "SERVFAIL"},
		{"unusable From", Sender{From: "nobody"}, "dmarc:fail", true, "unusable"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := Check(context.Background(), r, tc.sender, Options{})
			if diff := cmp.Diff(tc.want, summary(rep)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", diff, rep.Text())
			}
			if rep.Blocking != tc.blocking {
				t.Errorf("Blocking = %v, want %v", rep.Blocking, tc.blocking)
			}
			var all strings.Builder
			for _, f := range rep.Findings {
				all.WriteString(f.Message + "\n" + f.Fix + "\n")
			}
			if !strings.Contains(all.String(), tc.has) {
				t.Errorf("report lacks %q:\n%s", tc.has, rep.Text())
			}
			for _, f := range rep.Findings {
				if (f.Status == StatusFail || f.Status == StatusWarn) && f.Fix == "" {
					t.Errorf("%s %s has no fix: %s", f.Check, f.Status, f.Message)
				}
				checkRecords(t, f.Fix)
			}
		})
	}
}

// checkRecords parses every record a fix tells to publish, as a name server
// would load it.
func checkRecords(t *testing.T, fix string) {
	t.Helper()
	for line := range strings.SplitSeq(fix, "\n") {
		if i := strings.Index(line, ". IN "); i > 0 && !strings.Contains(line[:i], " ") {
			if _, err := dns.NewRR(line); err != nil {
				t.Errorf("fix record %q does not parse: %v", line, err)
			}
		}
	}
}

// TestFixesPass publishes what the fixes say and checks again: the check
// that failed now passes.
func TestFixesPass(t *testing.T) {
	base := testZone(t)
	addr, clientTLS := startRelay(t, startTLSRelay)
	relays := []Relay{{Addr: addr, TLSConfig: clientTLS, PublicIPs: []net.IP{net.ParseIP("192.0.2.10")}}}
	for _, tc := range []struct {
		domain string
		key    []byte
	}{
		{"nospf.test", pubKey(t, "rsa2048")},
		{"nodkim.test", pubKey(t, "rsa2048")},
		{"nodkim.test", pemOf(mustDER(t, edKey()))},
		{"nodmarc.test", pubKey(t, "rsa2048")},
	} {
		t.Run(tc.domain, func(t *testing.T) {
			s := Sender{From: "news@" + tc.domain, DKIMSelector: "sel", DKIMPublicKey: tc.key, Relays: relays}
			before := Check(context.Background(), resolver(t, base), s, Options{})
			z := base
			z.RRs = slices.Clone(base.RRs)
			for _, f := range before.Findings {
				for line := range strings.SplitSeq(f.Fix, "\n") {
					if strings.Contains(line, ". IN TXT ") {
						z.RRs = append(z.RRs, line)
					}
				}
			}
			after := Check(context.Background(), resolver(t, z), s, Options{})
			if !before.Blocking || after.Blocking {
				t.Errorf("blocking before %v, after %v:\n%s\n%s", before.Blocking, after.Blocking, before.Text(), after.Text())
			}
		})
	}
}

func mustDER(t testing.TB, k any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestReportText(t *testing.T) {
	rep := report([]Finding{
		{Check: CheckSPF, Status: StatusPass, Message: `example.com publishes "v=spf1 -all"`},
		{Check: CheckDMARC, Status: StatusFail, Message: "no DMARC record at _dmarc.example.com",
			Fix: "publish:\n" + txtRecord("_dmarc.example.com", "v=DMARC1; p=none")},
	}, false)
	want := `PASS spf: example.com publishes "v=spf1 -all"
FAIL dmarc: no DMARC record at _dmarc.example.com
       fix: publish:
            _dmarc.example.com. IN TXT "v=DMARC1; p=none"
Blocking: fix the failures above before starting the campaign.
`
	if diff := cmp.Diff(want, rep.Text()); diff != "" {
		t.Errorf("Text (-want +got):\n%s", diff)
	}
	outbox := report(rep.Findings, true)
	if outbox.Blocking || !strings.HasSuffix(outbox.Text(), "fix the failures before configuring one.\n") {
		t.Errorf("with no relay, blocking %v:\n%s", outbox.Blocking, outbox.Text())
	}
}

func TestTXTRecordSplits(t *testing.T) {
	long := "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(make([]byte, 400))
	rr, err := dns.NewRR(txtRecord("s._domainkey.example.com", long))
	if err != nil {
		t.Fatal(err)
	}
	txt := rr.(*dns.TXT).Txt
	if len(txt) != 3 || strings.Join(txt, "") != long {
		t.Errorf("split into %d strings, joined equal: %v", len(txt), strings.Join(txt, "") == long)
	}
}

// TestInferredRelayAddresses: a relay given by name or address only is
// assumed to send from where it is reached, which an e-mail provider's relay
// does not: what that address fails is a warning, not a refusal.
func TestInferredRelayAddresses(t *testing.T) {
	z := testZone(t)
	z.RRs = append(z.RRs, `smtp.inferred.test. A 192.0.2.20`)
	r := resolver(t, z)
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		relays   []Relay
		spf, ptr string // summaries
	}{
		{"host name", []Relay{{Addr: "smtp.inferred.test:587"}}, "spf:pass spf:warn", "ptr:warn"},
		{"IP address", []Relay{{Addr: "192.0.2.30:25"}}, "spf:pass spf:warn", "ptr:warn"},
		{"public address given", []Relay{{Addr: "smtp.inferred.test:587", PublicIPs: []net.IP{net.ParseIP("192.0.2.20")}}},
			"spf:pass spf:fail", "ptr:fail"},
		{"localhost", []Relay{{Addr: "localhost:25"}}, "spf:pass spf:skip", "ptr:skip"},
		{"host not in DNS", []Relay{{Addr: "nx.test:25"}}, "spf:pass spf:skip", "ptr:fail"},
		{"host timing out", []Relay{{Addr: "smtp.slow.test:25"}}, "spf:pass spf:warn", "ptr:warn"},
		{"private address", []Relay{{Addr: "10.1.2.3:25"}}, "spf:pass spf:skip", "ptr:skip"},
		{"address without port", []Relay{{Addr: "smtp.inferred.test"}}, "spf:pass spf:skip", "ptr:fail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, _ := newIdentity(Sender{From: "news@narrow.test"})
			relays := resolveRelays(ctx, r, tc.relays)
			spf, ptr := checkSPF(ctx, r, id, relays), checkPTR(ctx, r, id, relays)
			if got := summary(Report{Findings: spf}); got != tc.spf {
				t.Errorf("spf %s, want %s: %v", got, tc.spf, spf)
			}
			if got := summary(Report{Findings: ptr}); got != tc.ptr {
				t.Errorf("ptr %s, want %s: %v", got, tc.ptr, ptr)
			}
		})
	}
}
