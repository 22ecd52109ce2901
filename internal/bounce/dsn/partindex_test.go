package dsn

import (
	"strings"
	"testing"
)

func TestPartIndex(t *testing.T) {
	var x partIndex
	words := []string{"he", "she", "his", "hers", "user unknown", "unknown", "n", "ushe", "ushers"}
	for _, w := range words {
		x.add(w)
	}
	if x.add("she") != 1 {
		t.Fatal("the same part got a second id")
	}
	for _, text := range []string{"", "ushers", "this user unknown here", "no", "hhhhe", "xyz", "ushe", "usherss user unknownn"} {
		h := x.scan(text)
		for id, w := range words {
			if got, want := h.has(int32(id)), strings.Contains(text, w); got != want {
				t.Errorf("scan(%q) has %q = %v, want %v", text, w, got, want)
			}
		}
	}
}

// FuzzPartIndex holds the automaton over the real rules equal to a substring search per part.
func FuzzPartIndex(f *testing.F) {
	f.Add(" 550 5.1.1 <a@b>: recipient address rejected: user unknown in local recipient table ")
	f.Add("mailbox is full")
	f.Fuzz(func(t *testing.T, text string) {
		h := rules.index.scan(text)
		for id, p := range rules.index.parts {
			if got, want := h.has(int32(id)), strings.Contains(text, p); got != want {
				t.Fatalf("scan(%q) has %q = %v, want %v", text, p, got, want)
			}
		}
	})
}

func TestPartIndexSize(t *testing.T) {
	x := &rules.index
	x.scan("")
	used := 0
	for _, w := range x.seen {
		for ; w != 0; w &= w - 1 {
			used++
		}
	}
	t.Logf("%d parts, %d short, %d hashes used of %d", len(x.parts), len(x.short), used, 1<<hashBits)
}

// BenchmarkPartIndexBuild is the one-time cost of the automaton, paid at the first scan.
func BenchmarkPartIndexBuild(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		x := partIndex{parts: rules.index.parts}
		x.build()
	}
}

// FuzzDetectFamilies holds detectFamilies equal to a case-blind search for every signature.
func FuzzDetectFamilies(f *testing.F) {
	f.Add("Received: from MX.Google.com by QMAIL x-failed-recipients: a@b")
	f.Add("gmx.de zoho 1und1")
	f.Fuzz(func(t *testing.T, text string) {
		got := detectFamilies(text)
		want := map[string]bool{}
		low := asciiLowerString(text)
		for _, fam := range rules.families {
			if strings.Contains(low, fam[1]) {
				want[fam[0]] = true
			}
		}
		if len(got) != len(want) {
			t.Fatalf("detectFamilies(%q) = %v, want %v", text, got, want)
		}
		for k := range want {
			if !got[k] {
				t.Fatalf("detectFamilies(%q) = %v, want %v", text, got, want)
			}
		}
	})
}

func asciiLowerString(s string) string {
	b := []byte(s)
	for i, c := range b {
		b[i] = asciiLower[c]
	}
	return string(b)
}
