package chain

import (
	"strings"
	"testing"
	"time"
)

// TestEncoderIsLengthPrefixed: fields are length-prefixed, so moving a byte from one field to
// the next changes the digest; the zero time encodes as the empty string; the version tag
// takes part.
func TestEncoderIsLengthPrefixed(t *testing.T) {
	sum := func(version string, fields ...string) Digest {
		e := NewEncoder(version)
		for _, f := range fields {
			e.Str(f)
		}
		return e.Sum()
	}
	if sum("v1", "ab", "c").Equal(sum("v1", "a", "bc")) {
		t.Error("moving a byte between fields kept the digest")
	}
	if sum("v1", "a").Equal(sum("v2", "a")) {
		t.Error("the version tag does not take part")
	}
	z, s := NewEncoder("v1"), NewEncoder("v1")
	z.Time(time.Time{})
	s.Str("")
	if !z.Sum().Equal(s.Sum()) {
		t.Error("the zero time does not encode as the empty string")
	}
	a, b := NewEncoder("v1"), NewEncoder("v1")
	at := time.Date(2026, 12, 4, 10, 0, 0, 123456789, time.FixedZone("x", 3600))
	a.Time(at)
	b.Time(at.UTC().Truncate(time.Microsecond))
	if !a.Sum().Equal(b.Sum()) {
		t.Error("the time encoding depends on the zone or on sub-microsecond precision")
	}
}

// TestVerifierNamesEachBreak: a well-linked chain passes, and each way to break it is named.
func TestVerifierNamesEachBreak(t *testing.T) {
	links := func() []Link {
		var out []Link
		prev := Genesis
		for i := range int64(3) {
			e := NewEncoder("t")
			e.Num(i)
			e.Bytes(prev)
			h := e.Sum()
			out = append(out, Link{ID: 10 + i, Seq: i + 1, WorkspaceID: 7, PrevHash: prev, Hash: h})
			prev = h
		}
		return out
	}
	contents := func(l Link, i int64) Digest {
		e := NewEncoder("t")
		e.Num(i)
		e.Bytes(l.PrevHash)
		return e.Sum()
	}
	var ok Verifier
	for i, l := range links() {
		if r := ok.Check(l, contents(l, int64(i))); r != "" {
			t.Fatalf("a good chain breaks at %d: %s", i, r)
		}
	}
	if ok.Len() != 3 || !ok.Head().Equal(links()[2].Hash) {
		t.Fatalf("Len %d, Head %s", ok.Len(), ok.Head())
	}
	for name, edit := range map[string]func([]Link){
		"hash mismatch":      func(l []Link) { l[1].Hash = Genesis },
		"prev-hash mismatch": func(l []Link) { l[1].PrevHash = Genesis },
		"sequence gap":       func(l []Link) { l[1].Seq = 5 },
		"workspace":          func(l []Link) { l[1].WorkspaceID = 8 },
	} {
		ls := links()
		edit(ls)
		var v Verifier
		got := ""
		for i, l := range ls {
			c := contents(l, int64(i))
			if name == "hash mismatch" && i == 1 {
				c = links()[1].Hash // the contents still hash as recorded; the stored hash was changed
			}
			if got = v.Check(l, c); got != "" {
				if i != 1 {
					t.Errorf("%s: broke at %d, want 1", name, i)
				}
				break
			}
		}
		if !strings.Contains(got, name) {
			t.Errorf("%s: reason %q", name, got)
		}
	}
	if (&Verifier{}).Head().Short() != Genesis.Short() {
		t.Error("an empty chain's head is not Genesis")
	}
}
