package verify_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
	"github.com/google/go-cmp/cmp"
)

func recordsResolver(t *testing.T) *verify.DNSResolver {
	t.Helper()
	addr := verifytest.Records{
		RRs: []string{
			`txt.test. TXT "v=spf1 " "ip4:192.0.2.1 -all"`,
			`txt.test. TXT "second"`,
			`txt.test. A 192.0.2.1`,
			`10.2.0.192.in-addr.arpa. PTR mail.txt.test.`,
			`1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. PTR v6.txt.test.`,
			`mail.txt.test. A 192.0.2.10`,
			`mail.txt.test. AAAA 2001:db8::1`,
			`mx.txt.test. MX 10 mail.txt.test.`,
		},
		ServFail: []string{"broken.test"},
		Silent:   []string{"slow.test"},
	}.Serve(t)
	r, err := verify.NewDNSResolver(verify.DNSConfig{Server: addr, Timeout: 200 * time.Millisecond, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDNSResolverRecords(t *testing.T) {
	r := recordsResolver(t)
	ctx := context.Background()

	txts, err := r.LookupTXT(ctx, "txt.test")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(txts)
	if diff := cmp.Diff([]string{"second", "v=spf1 ip4:192.0.2.1 -all"}, txts); diff != "" {
		t.Errorf("TXT: the strings of one record are joined (-want +got):\n%s", diff)
	}
	names, err := r.LookupAddr(ctx, "192.0.2.10")
	if err != nil || !slices.Equal(names, []string{"mail.txt.test."}) {
		t.Errorf("PTR 192.0.2.10 = %v, %v", names, err)
	}
	names, err = r.LookupAddr(ctx, "2001:db8::1")
	if err != nil || !slices.Equal(names, []string{"v6.txt.test."}) {
		t.Errorf("PTR 2001:db8::1 = %v, %v", names, err)
	}
	ips, err := r.LookupIP(ctx, "mail.txt.test")
	if err != nil || len(ips) != 2 || !ips[0].Equal(net.ParseIP("192.0.2.10")) || !ips[1].Equal(net.ParseIP("2001:db8::1")) {
		t.Errorf("A/AAAA mail.txt.test = %v, %v", ips, err)
	}
	mxs, err := r.LookupMX(ctx, "mx.txt.test")
	if err != nil || len(mxs) != 1 || mxs[0].Host != "mail.txt.test." || mxs[0].Pref != 10 {
		t.Errorf("MX mx.txt.test = %v, %v", mxs, err)
	}
}

func TestDNSResolverRecordErrors(t *testing.T) {
	r := recordsResolver(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, lookup, host  string
		notFound, temp, tmo bool
		wraps               error
	}{
		{name: "NXDOMAIN", lookup: "txt", host: "nx.test", notFound: true},
		{name: "no TXT (NODATA)", lookup: "txt", host: "mail.txt.test", notFound: true},
		{name: "no PTR", lookup: "ptr", host: "192.0.2.99", notFound: true},
		{name: "no address", lookup: "ip", host: "mx.txt.test", notFound: true},
		{name: "SERVFAIL", lookup: "txt", host: "x.broken.test", temp: true, wraps: verify.ErrServFail},
		{name: "timeout", lookup: "ip", host: "slow.test", temp: true, tmo: true, wraps: verify.ErrDNSTimeout},
		{name: "MX timeout", lookup: "mx", host: "slow.test", temp: true, tmo: true, wraps: verify.ErrDNSTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var err error
			switch tc.lookup {
			case "txt":
				_, err = r.LookupTXT(ctx, tc.host)
			case "ptr":
				_, err = r.LookupAddr(ctx, tc.host)
			case "ip":
				_, err = r.LookupIP(ctx, tc.host)
			case "mx":
				_, err = r.LookupMX(ctx, tc.host)
			}
			var de *net.DNSError
			if !errors.As(err, &de) {
				t.Fatalf("error %v (%T) is not a *net.DNSError", err, err)
			}
			if de.IsNotFound != tc.notFound || de.IsTemporary != tc.temp || de.IsTimeout != tc.tmo {
				t.Errorf("flags notFound=%v temporary=%v timeout=%v, want %v %v %v (%v)",
					de.IsNotFound, de.IsTemporary, de.IsTimeout, tc.notFound, tc.temp, tc.tmo, err)
			}
			if tc.wraps != nil && !errors.Is(err, tc.wraps) {
				t.Errorf("error %v does not wrap %v", err, tc.wraps)
			}
		})
	}
}
