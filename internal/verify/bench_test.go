package verify

import (
	"context"
	"flag"
	"fmt"
	"iter"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// benchAddresses is a realistic mix: the corpus rows (odd syntax, IDN,
// typos, flags) plus generated ordinary addresses at big providers and
// company domains, with some role accounts, typos, upper case and +tags.
func benchAddresses(b *testing.B) []string {
	var out []string
	for _, f := range []string{"syntax-isemail.tsv", "syntax-extra.tsv", "syntax-intl.tsv", "typos.tsv", "flags.tsv"} {
		for _, row := range readCorpus(b, f) {
			out = append(out, row.str(b, "address_json"))
		}
	}
	first := []string{"anna", "ben", "chloe", "david", "emma", "felix", "grace", "hugo", "ines", "jonas"}
	last := []string{"smith", "mueller", "dubois", "rossi", "garcia", "nguyen", "kowalski", "jensen"}
	domains := []string{"gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "gmx.de", "web.de",
		"orange.fr", "icloud.com", "acme-widgets.com", "northwind.co.uk", "contoso.org", "fabrikam.de",
		"uni-hamburg.de", "example.org", "gmial.com", "hotmail.con", "mailinator.com", "Example.COM"}
	for i := range 10000 {
		local := first[i%len(first)] + "." + last[(i/7)%len(last)]
		switch i % 23 {
		case 0:
			local = "info"
		case 1:
			local += "+news"
		case 2:
			local = strings.ToUpper(local)
		}
		out = append(out, fmt.Sprintf("%s%d@%s", local, i%97, domains[(i/3)%len(domains)]))
	}
	return out
}

func BenchmarkOffline(b *testing.B) {
	c := New(Options{})
	addrs := benchAddresses(b)
	c.Offline(addrs[0]) // load the lists outside the timing
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Offline(addrs[i%len(addrs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}

func BenchmarkSyntax(b *testing.B) {
	addrs := benchAddresses(b)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Syntax(addrs[i%len(addrs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "addresses/s")
}

// BenchmarkBulkDNS checks 1,000,000 addresses on 20,000 domains against a
// local DNS server through the cache (target: under 30 s). It takes a while,
// so it runs only when -bench names it: go test -run '^$' -bench BulkDNS
// -benchtime 1x ./internal/verify/
func BenchmarkBulkDNS(b *testing.B) {
	if f := flag.Lookup("test.bench"); f == nil || !strings.Contains(f.Value.String(), "BulkDNS") {
		b.Skip("runs only when -bench names BulkDNS explicitly")
	}
	const addresses, domains = 1_000_000, 20_000
	s := startDNS(b, time.Second)
	for b.Loop() {
		r, err := NewDNSResolver(DNSConfig{Server: s.addr, Timeout: 2 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		c := New(Options{Resolver: r})
		var done, deliverable atomic.Int64
		start := time.Now()
		c.CheckMany(context.Background(), bulkAddresses(addresses, domains), 64, func(r Result) {
			done.Add(1)
			if r.Verdict == Deliverable {
				deliverable.Add(1)
			}
		})
		elapsed := time.Since(start)
		if done.Load() != addresses || deliverable.Load() != addresses {
			b.Fatalf("%d results, %d deliverable, want %d", done.Load(), deliverable.Load(), addresses)
		}
		st := c.Resolver().(*Cache).Stats()
		b.ReportMetric(elapsed.Seconds(), "s/1M-addresses")
		b.ReportMetric(float64(st.Lookups), "lookups")
		b.ReportMetric(addresses/elapsed.Seconds(), "addresses/s")
		b.Logf("%d addresses on %d domains in %v: %d DNS lookups (%d MX queries at the server), %d cache hits, %d shared",
			addresses, domains, elapsed.Round(time.Millisecond), st.Lookups, s.total("MX", "bulk.test"), st.Hits, st.Shared)
	}
}

// bulkAddresses yields n addresses spread over the given number of domains,
// interleaved as an unsorted import would be.
func bulkAddresses(n, domains int) iter.Seq[string] {
	return func(yield func(string) bool) {
		for i := range n {
			if !yield(fmt.Sprintf("user%d@d%d.bulk.test", i, (i*7919)%domains)) {
				return
			}
		}
	}
}
