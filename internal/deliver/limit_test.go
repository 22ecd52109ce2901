package deliver

import (
	"context"
	"sync"
	"testing"
	"time"
)

// TestTakeToken: the bucket math, without clocks: refill, burst cap, debt and the wait it
// implies, a zero state, and a clock that went backwards.
func TestTakeToken(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		state      BucketState
		now        time.Time
		rate       float64
		burst      int
		wantTokens float64
		wantWait   time.Duration
	}{
		{"zero state is a full bucket", BucketState{}, t0, 10, 5, 4, 0},
		{"last token", BucketState{Tokens: 1, Updated: t0}, t0, 10, 5, 0, 0},
		{"empty: wait one interval", BucketState{Tokens: 0, Updated: t0}, t0, 10, 5, -1, 100 * time.Millisecond},
		{"in debt: wait longer", BucketState{Tokens: -2, Updated: t0}, t0, 10, 5, -3, 300 * time.Millisecond},
		{"refill", BucketState{Tokens: 0, Updated: t0}, t0.Add(250 * time.Millisecond), 10, 5, 1.5, 0},
		{"refill capped at burst", BucketState{Tokens: 0, Updated: t0}, t0.Add(time.Hour), 10, 5, 4, 0},
		{"clock went back", BucketState{Tokens: 0, Updated: t0}, t0.Add(-time.Second), 10, 5, -1, 100 * time.Millisecond},
		{"burst below one means one", BucketState{}, t0, 2, 0, 0, 0},
		{"slow rate", BucketState{Tokens: 0, Updated: t0}, t0, 0.5, 1, -1, 2 * time.Second},
		{"no limit", BucketState{Tokens: 3, Updated: t0}, t0, 0, 5, 3, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, wait := TakeToken(tc.state, tc.now, tc.rate, tc.burst)
			if diff := got.Tokens - tc.wantTokens; diff > 1e-9 || diff < -1e-9 || wait != tc.wantWait {
				t.Fatalf("tokens %v wait %v, want %v %v", got.Tokens, wait, tc.wantTokens, tc.wantWait)
			}
			if tc.rate > 0 && got.Updated.Before(tc.state.Updated) {
				t.Fatalf("updated went back to %v", got.Updated)
			}
		})
	}
}

// TestTakeTokenHoldsTheRate: n takes at one instant promise tokens at exactly the rate: the
// last caller waits (n-burst)/rate.
func TestTakeTokenHoldsTheRate(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	var s BucketState
	var wait time.Duration
	for i := 0; i < 105; i++ {
		s, wait = TakeToken(s, t0, 50, 5)
	}
	if wait != 2*time.Second {
		t.Fatalf("the 105th take waits %v, want 2s (100 tokens over the burst at 50/s)", wait)
	}
}

// TestTakeTokens: a batch's n tokens at once cost what n single takes cost, and giving
// back what a short batch did not use refunds it, never above the burst.
func TestTakeTokens(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	var one BucketState
	var w1 time.Duration
	for range 30 {
		one, w1 = TakeToken(one, t0, 10, 10)
	}
	batch, wn := TakeTokens(BucketState{}, t0, 10, 10, 30)
	if batch != one || wn != w1 || wn != 2*time.Second {
		t.Fatalf("30 at once: %+v %v; one by one: %+v %v (want a 2s wait)", batch, wn, one, w1)
	}
	back, w := TakeTokens(batch, t0, 10, 10, -25)
	if back.Tokens != 5 || w != 0 {
		t.Fatalf("25 given back: %+v %v, want 5 tokens and no wait", back, w)
	}
	full, _ := TakeTokens(BucketState{}, t0, 10, 10, -100)
	if full.Tokens != 10 {
		t.Fatalf("given back to a full bucket: %v tokens, want the burst (10)", full.Tokens)
	}
	later, w := TakeTokens(batch, t0.Add(3*time.Second), 10, 10, 5)
	if later.Tokens != 5 || w != 0 {
		t.Fatalf("3s later (30 refilled, capped at 10): %+v %v", later, w)
	}
}

// mapBuckets is a BucketStore in memory, standing in for the store's transaction.
type mapBuckets struct {
	mu sync.Mutex
	m  map[string]BucketState
}

func (b *mapBuckets) UpdateBucket(_ context.Context, key string, update func(BucketState) BucketState) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.m == nil {
		b.m = map[string]BucketState{}
	}
	b.m[key] = update(b.m[key])
	return nil
}

// TestSharedLimiterKeys: each key has its own bucket with its own limit, and keys without a
// limit are not stored at all.
func TestSharedLimiterKeys(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	store := &mapBuckets{}
	l := &SharedLimiter{Store: store, Limits: map[string]Limit{"domain:gmail.com": {PerSecond: 1, Burst: 3}},
		Default: Limit{PerSecond: 100, Burst: 10}, Now: func() time.Time { return t0 }, ChunkTime: -1}
	for _, key := range []string{"domain:gmail.com", "domain:gmail.com", "domain:example.org"} {
		if err := l.Wait(context.Background(), key); err != nil {
			t.Fatal(err)
		}
	}
	if g, e := store.m["domain:gmail.com"].Tokens, store.m["domain:example.org"].Tokens; g != 1 || e != 9 {
		t.Fatalf("tokens gmail %v, example %v; want 1 and 9", g, e)
	}
	unlimited := &SharedLimiter{Store: store}
	unlimited.Wait(context.Background(), "domain:other.example")
	if _, ok := store.m["domain:other.example"]; ok {
		t.Fatal("an unlimited key was stored")
	}
	// A wait that the context ends returns its error.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.Wait(ctx, "domain:gmail.com"); err == nil {
		t.Fatal("want the context's error")
	}
}

// countingBuckets counts the store round trips.
type countingBuckets struct {
	mapBuckets
	calls int
}

func (b *countingBuckets) UpdateBucket(ctx context.Context, key string, update func(BucketState) BucketState) error {
	b.calls++
	return b.mapBuckets.UpdateBucket(ctx, key, update)
}

// TestSharedLimiterChunks: the limiter takes ChunkTime's worth of tokens per store round
// trip, and the store's bucket is charged for all of them (the shared rate still holds);
// tokens too old to use without a burst are dropped, never used late.
func TestSharedLimiterChunks(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	now := t0
	store := &countingBuckets{}
	l := &SharedLimiter{Store: store, Default: Limit{PerSecond: 100, Burst: 100}, ChunkTime: 100 * time.Millisecond,
		Now: func() time.Time { return now }}
	for range 25 {
		if err := l.Wait(context.Background(), "relay:a"); err != nil {
			t.Fatal(err)
		}
	}
	if store.calls != 3 || store.m["relay:a"].Tokens != 70 {
		t.Fatalf("%d round trips, bucket %v; want 3 of 10 tokens each, 70 left", store.calls, store.m["relay:a"].Tokens)
	}
	now = t0.Add(time.Second) // the 5 tokens held are a second old: dropped
	l.Wait(context.Background(), "relay:a")
	if store.calls != 4 {
		t.Fatalf("%d round trips; old tokens were used instead of taking fresh ones", store.calls)
	}
}

// TestRateLimiterBuckets: the in-process limiter keeps one bucket per key, with the key's own
// limit or the default; no limit means no bucket.
func TestRateLimiterBuckets(t *testing.T) {
	l := &RateLimiter{Default: Limit{PerSecond: 5}, Limits: map[string]Limit{"domain:gmail.com": {PerSecond: 1, Burst: 3}}}
	if b := l.limiter("domain:gmail.com"); b == nil || b.Burst() != 3 || b.Limit() != 1 {
		t.Fatalf("gmail bucket %+v", b)
	}
	if b := l.limiter("domain:example.org"); b == nil || b.Burst() != 1 || b.Limit() != 5 {
		t.Fatalf("default bucket %+v", b)
	}
	if first, again := l.limiter("domain:gmail.com"), l.limiter("domain:gmail.com"); first != again {
		t.Fatal("a key got two buckets")
	}
	if (&RateLimiter{}).limiter("x") != nil {
		t.Fatal("no limit made a bucket")
	}
}

// TestPoolBuckets: with Buckets, the relays' own rates are taken from the shared buckets
// (under "relay:<name>", the relay's address when it has no name); without, in this process.
func TestPoolBuckets(t *testing.T) {
	relays := []Relay{{Addr: "127.0.0.1:1", TLS: TLSNone, RatePerSec: 5, Burst: 2}, {Name: "b", Addr: "127.0.0.1:2", TLS: TLSNone}}
	store := &mapBuckets{}
	p, err := NewPool(PoolConfig{Relays: relays, Buckets: store})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.relayLim.Wait(t.Context(), "relay:127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	if _, ok := store.m["relay:127.0.0.1:1"]; !ok || len(store.m) != 1 {
		t.Fatalf("shared buckets after a send's wait: %v", store.m)
	}
	local, err := NewPool(PoolConfig{Relays: relays})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := local.relayLim.(*RateLimiter); !ok {
		t.Fatalf("without Buckets the relay limiter is %T, want the in-process one", local.relayLim)
	}
}
