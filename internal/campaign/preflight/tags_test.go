package preflight

import (
	"crypto"
	"net"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseTags(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    tags
		wantErr string
	}{
		{in: "v=DMARC1; p=none", want: tags{{"v", "DMARC1"}, {"p", "none"}}},
		{in: "v=DKIM1;k=rsa;p=AB CD\r\n EF=;", want: tags{{"v", "DKIM1"}, {"k", "rsa"}, {"p", "AB CD\r\n EF="}}},
		{in: " v = DMARC1 ;; rua=mailto:a@b.example,mailto:c@d.example ; ", want: tags{{"v", "DMARC1"}, {"rua", "mailto:a@b.example,mailto:c@d.example"}}},
		{in: "p=", want: tags{{"p", ""}}},
		{in: "", want: nil},
		{in: "v=DMARC1; p", wantErr: "not a name=value"},
		{in: "v=DMARC1; p=none; p=reject", wantErr: "appears twice"},
		{in: "1x=y", wantErr: "not a tag name"},
		{in: "a-b=y", wantErr: "not a tag name"},
		{in: "p=caf\u00e9", wantErr: "not printable ASCII"},
		{in: "p=a\x00b", wantErr: "not printable ASCII"},
	} {
		got, err := parseTags(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("parseTags(%q) error %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("parseTags(%q): %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(tag{})); diff != "" {
			t.Errorf("parseTags(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

// FuzzParseTags: whatever a DNS answer holds, parsing does not panic, and what
// it accepts is well-formed and survives writing out and reading again.
func FuzzParseTags(f *testing.F) {
	for _, s := range []string{
		"v=DMARC1; p=reject; rua=mailto:d@example.com; adkim=s",
		"v=DKIM1; k=rsa; t=y:s; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ==",
		"v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
		";;=;", "a=b=c", " \t\r\n", "p=\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := parseTags(s)
		if err != nil {
			return
		}
		var out []string
		seen := map[string]bool{}
		for _, tg := range ts {
			if !validTagName(tg.name) || seen[tg.name] || strings.Contains(tg.value, ";") {
				t.Fatalf("parseTags(%q) accepted %q=%q", s, tg.name, tg.value)
			}
			seen[tg.name] = true
			out = append(out, tg.name+"="+tg.value)
		}
		again, err := parseTags(strings.Join(out, "; "))
		if err != nil || !cmp.Equal(ts, again, cmp.AllowUnexported(tag{})) {
			t.Fatalf("round trip of %q: %v, %v != %v", s, err, again, ts)
		}
	})
}

// FuzzParseKeyRecord: a hostile DKIM record never panics the key parser, and
// an accepted key writes out as a record that reads back as the same key.
func FuzzParseKeyRecord(f *testing.F) {
	f.Add("v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=")
	f.Add("v=DKIM1; k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAL0F6gC4P3BjYKJg12Gknd/NG8sYm+heiok9+LeXAq3n9cuYBu1/crn3jz1g5ija3smdxyXbd6VztgeXGB81D30CAwEAAQ==")
	f.Add("v=DKIM1; h=sha1; s=*; t=y; p=")
	f.Fuzz(func(t *testing.T, s string) {
		key, info, bad := parseKeyRecord(s)
		if bad != "" {
			return
		}
		if key == nil || info == "" {
			t.Fatalf("parseKeyRecord(%q) accepted without a key", s)
		}
		again, _, bad := parseKeyRecord(dkimValue(key))
		if bad != "" || !again.(interface{ Equal(crypto.PublicKey) bool }).Equal(key) {
			t.Fatalf("record of the key of %q does not read back: %s", s, bad)
		}
	})
}

// FuzzSPFEdit: the record edits behind the SPF fixes keep an SPF record an
// SPF record, name the added addresses, and end in the chosen all.
func FuzzSPFEdit(f *testing.F) {
	f.Add("v=spf1 ip4:192.0.2.1 include:_spf.example.com ~all")
	f.Add("v=spf1 redirect=_spf.example.com")
	f.Add("v=spf1 all")
	f.Add("v=spf1")
	f.Fuzz(func(t *testing.T, rec string) {
		if !isSPF(rec) {
			return
		}
		ip := net.ParseIP("192.0.2.99")
		added := addIPs(rec, []net.IP{ip})
		if !isSPF(added) || !strings.Contains(added, "ip4:192.0.2.99") {
			t.Fatalf("addIPs(%q) = %q", rec, added)
		}
		fixed := withAll(rec, "-all")
		if q, ok := allTerm(fixed); !isSPF(fixed) || !ok || q != '-' {
			t.Fatalf("withAll(%q) = %q", rec, fixed)
		}
		merged := mergeSPF([]string{rec, "v=spf1 +all"}, []net.IP{ip})
		if q, ok := allTerm(merged); !isSPF(merged) || !ok || q == '+' {
			t.Fatalf("mergeSPF(%q) = %q", rec, merged)
		}
	})
}
