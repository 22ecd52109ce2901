package verify

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"
)

func newTestResolver(t testing.TB, s *testDNS, timeout time.Duration) *DNSResolver {
	t.Helper()
	r, err := NewDNSResolver(DNSConfig{Server: s.addr, Timeout: timeout, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestDNSResolver(t *testing.T) {
	s := startDNS(t, 600*time.Millisecond)
	r := newTestResolver(t, s, 150*time.Millisecond)
	cases := []struct {
		domain string
		status MailStatus
		mx     []string
		err    error
	}{
		{"mx.test", MailMX, []string{"mx1.mx.test", "mx2.mx.test"}, nil},
		{"a-only.test", MailImplicit, []string{"a-only.test"}, nil},
		{"aaaa-only.test", MailImplicit, []string{"aaaa-only.test"}, nil},
		{"null.test", MailNullMX, nil, nil},
		{"nomail.test", MailNone, nil, nil},
		{"nx.test", MailNoDomain, nil, nil},
		{"servfail.test", "", nil, ErrServFail},
		{"slow.test", "", nil, ErrDNSTimeout},
	}
	for _, c := range cases {
		start := time.Now()
		got, err := r.LookupMail(context.Background(), c.domain)
		switch {
		case c.err != nil:
			if !errors.Is(err, c.err) {
				t.Errorf("%s: error %v, want %v", c.domain, err, c.err)
			}
		case err != nil:
			t.Errorf("%s: %v", c.domain, err)
		case got.Status != c.status || !slices.Equal(got.MX, c.mx):
			t.Errorf("%s: %s %v, want %s %v", c.domain, got.Status, got.MX, c.status, c.mx)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s took %v; the resolver timeout is 150ms", c.domain, d)
		}
	}
}

func TestDNSResolverDefaultServer(t *testing.T) {
	if _, err := os.Stat("/etc/resolv.conf"); err != nil {
		t.Skip("no /etc/resolv.conf here")
	}
	r, err := NewDNSResolver(DNSConfig{})
	if err != nil {
		t.Skipf("/etc/resolv.conf has no usable nameserver: %v", err)
	}
	if r.Server() == "" {
		t.Error("Server() is empty")
	}
}

func TestCheckDNS(t *testing.T) {
	s := startDNS(t, 600*time.Millisecond)
	c := New(Options{Resolver: newTestResolver(t, s, 150*time.Millisecond)})
	cases := []struct {
		addr    string
		verdict Verdict
		reasons []Reason
		mx      []string
	}{
		{"jane@mx.test", Deliverable, nil, []string{"mx1.mx.test", "mx2.mx.test"}},
		{"jane@A-Only.TEST", Deliverable, nil, []string{"a-only.test"}},
		{"jane@null.test", Undeliverable, []Reason{ReasonNullMX}, nil},
		{"jane@nomail.test", Undeliverable, []Reason{ReasonNoMX}, nil},
		{"jane@nx.test", Undeliverable, []Reason{ReasonNoDomain}, nil},
		{"jane@servfail.test", Unknown, []Reason{ReasonDNSError}, nil},
		{"jane@slow.test", Unknown, []Reason{ReasonTimeout}, nil},
		{"info@mx.test", Risky, []Reason{ReasonRole}, []string{"mx1.mx.test", "mx2.mx.test"}},
		{"info@nx.test", Undeliverable, []Reason{ReasonRole, ReasonNoDomain}, nil},
		{"jane@io", Deliverable, nil, []string{"mx.io"}}, // a TLD with MX: not a dotless-domain risk
		{"jane..doe@mx.test", Undeliverable, []Reason{ReasonSyntax}, nil},
		{"jane@[127.0.0.1]", Risky, []Reason{ReasonAddressLiteral}, nil},
	}
	for _, tc := range cases {
		start := time.Now()
		got := c.Check(context.Background(), tc.addr)
		if got.Verdict != tc.verdict || !sameReasons(got.Reasons, tc.reasons) || !slices.Equal(got.MX, tc.mx) {
			t.Errorf("Check(%q) = %s %v MX %v, want %s %v MX %v", tc.addr, got.Verdict, got.Reasons, got.MX, tc.verdict, tc.reasons, tc.mx)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("Check(%q) took %v", tc.addr, d)
		}
	}
	if n := s.total("MX", ""); n != 8 {
		t.Errorf("%d MX queries, want 8 (one per domain): syntax errors and literals are not looked up, repeats come from the cache", n)
	}
}

func TestCacheSharesLookups(t *testing.T) {
	s := startDNS(t, time.Second)
	c := New(Options{Resolver: newTestResolver(t, s, time.Second)})
	var addrs []string
	for i := range 1000 {
		addrs = append(addrs, fmt.Sprintf("user%d@d%d.bulk.test", i, i%20))
	}
	var mu sync.Mutex
	verdicts := map[Verdict]int{}
	c.CheckMany(context.Background(), slices.Values(addrs), 50, func(r Result) {
		mu.Lock()
		verdicts[r.Verdict]++
		mu.Unlock()
	})
	if verdicts[Deliverable] != 1000 {
		t.Errorf("verdicts %v, want 1000 deliverable", verdicts)
	}
	if n := s.total("MX", "bulk.test"); n != 20 {
		t.Errorf("%d MX queries for 1000 addresses on 20 domains, want 20", n)
	}
	st := c.Resolver().(*Cache).Stats()
	t.Logf("cache: %+v", st)
	if st.Lookups != 20 || st.Hits+st.Shared != 980 {
		t.Errorf("cache stats %+v, want 20 lookups and 980 hits or shared waits", st)
	}
}

// fakeClock is a settable clock for TTL tests.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeClock) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *fakeClock) Advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

func TestCacheTTLs(t *testing.T) {
	s := startDNS(t, time.Second)
	clock := &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	c := New(Options{
		Resolver: newTestResolver(t, s, time.Second),
		Now:      clock.Now,
		Cache:    CacheOptions{PositiveTTL: time.Hour, NegativeTTL: 5 * time.Minute, ErrorTTL: 30 * time.Second},
	})
	check := func(addr string, want Reason) {
		t.Helper()
		if r := c.Check(context.Background(), addr); want != "" && !r.Has(want) || want == "" && r.Verdict != Deliverable {
			t.Fatalf("Check(%q) = %s %v, want %q", addr, r.Verdict, r.Reasons, want)
		}
	}
	expect := func(when, name string, want int) {
		t.Helper()
		if n := s.count("MX", name); n != want {
			t.Errorf("%s: %d MX queries for %s, want %d", when, n, name, want)
		}
	}
	for range 3 {
		check("a@nx.test", ReasonNoDomain)
		check("a@mx.test", "")
		check("a@servfail.test", ReasonDNSError)
	}
	expect("start", "nx.test", 1)
	expect("start", "mx.test", 1)
	expect("start", "servfail.test", 1)

	clock.Advance(time.Minute) // past the error TTL only
	check("a@nx.test", ReasonNoDomain)
	check("a@mx.test", "")
	check("a@servfail.test", ReasonDNSError)
	expect("after 1 min", "nx.test", 1)
	expect("after 1 min", "mx.test", 1)
	expect("after 1 min", "servfail.test", 2)

	clock.Advance(5 * time.Minute) // past the negative TTL
	check("a@nx.test", ReasonNoDomain)
	check("a@mx.test", "")
	expect("after 6 min", "nx.test", 2)
	expect("after 6 min", "mx.test", 1)

	clock.Advance(time.Hour) // past the positive TTL
	check("a@mx.test", "")
	expect("after 66 min", "mx.test", 2)
}

func TestCacheCallerGivesUp(t *testing.T) {
	s := startDNS(t, 400*time.Millisecond)
	cache := NewCache(newTestResolver(t, s, 2*time.Second), CacheOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := cache.LookupMail(ctx, "slow.test")
	if !errors.Is(err, ErrDNSTimeout) || time.Since(start) > 300*time.Millisecond {
		t.Fatalf("a caller whose context ends gets %v after %v, want ErrDNSTimeout at once", err, time.Since(start))
	}
	// The lookup goes on for whoever asks next.
	got, err := cache.LookupMail(context.Background(), "slow.test")
	if err != nil || got.Status != MailMX {
		t.Fatalf("next caller: %+v %v", got, err)
	}
	if n := s.count("MX", "slow.test"); n != 1 {
		t.Errorf("%d queries, want the first caller's lookup to be reused", n)
	}
}
