package suppress

import (
	"math/rand/v2"
	"testing"
)

func hashOf(b byte) [32]byte {
	var h [32]byte
	h[0], h[31] = b, b
	return h
}

func TestIndexBasics(t *testing.T) {
	ix := NewIndex(0)
	h := hashOf(1)
	if _, ok := ix.Blocked(h, ChannelEmail, ""); ok {
		t.Fatal("empty index blocks")
	}
	email := Scope{Channel: ChannelEmail}
	must(t, ix.AddHash(h, email))
	must(t, ix.AddHash(h, ScopeAll))
	if m, ok := ix.Blocked(h, ChannelSMS, "x"); !ok || !m.Scope.All() {
		t.Fatalf("Blocked on sms = %+v, %v; want blocked by all", m, ok)
	}
	if !ix.Remove(h, ScopeAll) {
		t.Fatal("Remove(all) found nothing")
	}
	if _, ok := ix.Blocked(h, ChannelSMS, ""); ok {
		t.Error("still blocked on sms after the all-channel entry went")
	}
	if m, ok := ix.Blocked(h, ChannelEmail, ""); !ok || m.Scope != email {
		t.Errorf("the email entry no longer blocks: %+v, %v", m, ok)
	}
	if ix.Remove(h, ScopeAll) || ix.Remove(h, Scope{Channel: ChannelSMS}) {
		t.Error("Remove of an absent scope reported success")
	}
	if ix.Len() != 1 {
		t.Errorf("Len = %d, want 1", ix.Len())
	}
	ix.Remove(h, email)
	if ix.Len() != 0 {
		t.Errorf("Len = %d after removing everything", ix.Len())
	}
	if err := ix.AddHash([32]byte{}, ScopeAll); err == nil {
		t.Error("a zero hash was accepted")
	}
	if err := ix.AddHash(h, Scope{Channel: "fax"}); err == nil {
		t.Error("an unknown channel was accepted")
	}
	if err := ix.Add(Entry{Kind: KindEmail, Hash: h, Scope: Scope{Channel: ChannelSMS}}); err == nil {
		t.Error("an e-mail entry scoped to sms was accepted")
	}
}

// TestIndexCounts: two entries for the same identifier and scope take two
// removals, including past the inline counter's limit.
func TestIndexCounts(t *testing.T) {
	ix := NewIndex(0)
	h := hashOf(7)
	const n = fieldMax + 100
	for range n {
		must(t, ix.AddHash(h, ScopeAll))
	}
	for i := range n {
		if _, ok := ix.Blocked(h, ChannelEmail, ""); !ok {
			t.Fatalf("unblocked after %d of %d removals", i, n)
		}
		if !ix.Remove(h, ScopeAll) {
			t.Fatalf("removal %d failed", i)
		}
	}
	if _, ok := ix.Blocked(h, ChannelEmail, ""); ok || ix.Len() != 0 {
		t.Fatal("still blocked after every removal")
	}
}

// TestTableProperty drives one table with keys chosen to collide (including
// runs that wrap around the end) against a map, to exercise probing, growth
// and backward-shift deletion.
func TestTableProperty(t *testing.T) {
	scopes := []Scope{ScopeAll, {Channel: ChannelEmail}, {Channel: ChannelSMS}, {Purpose: "news"}, {Channel: ChannelPhone, Purpose: "news"}}
	for seed := uint64(1); seed <= 8; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		tb := newTable(0)
		model := map[uint64]map[Scope]int{}
		for op := 0; op < 3000; op++ {
			// Few distinct low bits: runs of colliding keys; the high bits
			// keep keys distinct. Odd seeds make long runs, even seeds
			// short ones, where an entry's home is often the hole itself.
			homes, variants := 8, 40
			if seed%2 == 0 {
				homes, variants = 24, 4
			}
			k := uint64(r.IntN(homes)) | uint64(r.IntN(variants))<<32 | 1<<40
			if r.IntN(16) == 0 {
				k = tb.mask | uint64(r.IntN(40))<<32 | 1<<40 // home in the last slot: runs wrap
			}
			sc := scopes[r.IntN(len(scopes))]
			switch r.IntN(3) {
			case 0:
				tb.add(k, sc)
				if model[k] == nil {
					model[k] = map[Scope]int{}
				}
				model[k][sc]++
			case 1:
				want := model[k][sc] > 0
				if got := tb.remove(k, sc); got != want {
					t.Fatalf("seed %d op %d: remove(%x, %v) = %v, want %v", seed, op, k, sc, got, want)
				}
				if want {
					model[k][sc]--
					if model[k][sc] == 0 {
						delete(model[k], sc)
					}
					if len(model[k]) == 0 {
						delete(model, k)
					}
				}
			}
			if tb.n != len(model) {
				t.Fatalf("seed %d op %d: table holds %d keys, model %d", seed, op, tb.n, len(model))
			}
			for mk := range model {
				if _, ok := tb.get(mk); !ok {
					t.Fatalf("seed %d op %d: key %x lost", seed, op, mk)
				}
			}
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestIndexConcurrent runs readers (single and batch) against one writer;
// run it with -race. Hashes added once and never removed must stay blocked
// throughout, whatever the writer does to their neighbours and the tables'
// growth.
func TestIndexConcurrent(t *testing.T) {
	ix := NewIndex(0)
	stable := make([][32]byte, 500)
	for i := range stable {
		stable[i] = synthHash(uint64(i))
		must(t, ix.AddHash(stable[i], ScopeAll))
	}
	done := make(chan struct{})
	errs := make(chan string, 4)
	for range 3 {
		go func() {
			out := make([]bool, len(stable))
			for {
				select {
				case <-done:
					errs <- ""
					return
				default:
				}
				n := ix.BlockedBatch(stable, ChannelEmail, "", out)
				if n != len(stable) {
					errs <- "a stable hash went missing in a batch"
					return
				}
				if _, ok := ix.Blocked(stable[n%7], ChannelSMS, "x"); !ok {
					errs <- "a stable hash went missing"
					return
				}
			}
		}()
	}
	for i := uint64(0); i < 20000; i++ {
		h := synthHash(1_000_000 + i%3000)
		if i%3 == 2 {
			ix.Remove(h, ScopeAll)
		} else {
			must(t, ix.AddHash(h, ScopeAll))
		}
	}
	close(done)
	for range 3 {
		if e := <-errs; e != "" {
			t.Fatal(e)
		}
	}
}
