package dsn

import (
	"strings"
	"sync"
)

// partIndex finds, in one pass over a lower-cased text, every rule part (phrases.tsv and
// mta.tsv) that occurs in it. Matching a diagnostic against each of the ~1,300 parts with its
// own substring search was most of classifying's time on long diagnostics, where no cheap
// prefilter rejects much. The pass hashes the four bytes at each position into a small bit
// set of the parts' first four bytes (it stays in the L1 cache) and compares only the parts
// filed under that hash. A full Aho–Corasick automaton was tried first: its 4 MB table made
// each byte a cache miss, and it was slower on this machine than this.
type partIndex struct {
	parts []string
	ids   map[string]int32
	short []int32                    // the parts of fewer than four bytes, searched for one by one
	seen  [1 << hashBits / 64]uint64 // bit set: whether a part's first four bytes hash here
	at    []int32                    // the parts filed under hash h: ids[at[h]:at[h+1]]
	filed []int32
	once  sync.Once
}

const hashBits = 14

// add registers a part and returns its id; the same text gets the same id.
func (x *partIndex) add(part string) int32 {
	if x.ids == nil {
		x.ids = map[string]int32{}
	}
	if id, ok := x.ids[part]; ok {
		return id
	}
	id := int32(len(x.parts))
	x.ids[part] = id
	x.parts = append(x.parts, part)
	return id
}

func hash4(w uint32) uint32 { return (w * 0x9E3779B1) >> (32 - hashBits) }

func word4(s string) uint32 {
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// build files the parts added by the hash of their first four bytes.
func (x *partIndex) build() {
	count := make([]int32, 1<<hashBits+1)
	for id, p := range x.parts {
		if len(p) < 4 {
			x.short = append(x.short, int32(id))
			continue
		}
		count[hash4(word4(p))+1]++
	}
	for h := 1; h < len(count); h++ {
		count[h] += count[h-1]
	}
	x.at = count
	x.filed = make([]int32, count[len(count)-1])
	next := append([]int32(nil), count[:len(count)-1]...)
	for id, p := range x.parts {
		if len(p) < 4 {
			continue
		}
		h := hash4(word4(p))
		x.seen[h>>6] |= 1 << (h & 63)
		x.filed[next[h]] = int32(id)
		next[h]++
	}
}

// hits is the set of parts found in a text.
type hits []uint64

func (h hits) has(id int32) bool { return h[id>>6]&(1<<(id&63)) != 0 }

// scan is the set of the parts that occur in text.
func (x *partIndex) scan(text string) hits {
	x.once.Do(x.build) // on first use: a program that parses no report does not pay for it
	h := make(hits, (len(x.parts)+63)/64)
	for _, id := range x.short {
		if strings.Contains(text, x.parts[id]) {
			h[id>>6] |= 1 << (id & 63)
		}
	}
	if len(text) < 4 {
		return h
	}
	w := word4(text) << 8
	for i := 0; i+4 <= len(text); i++ {
		w = w>>8 | uint32(text[i+3])<<24
		k := hash4(w)
		if x.seen[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		for _, id := range x.filed[x.at[k]:x.at[k+1]] {
			if h[id>>6]&(1<<(id&63)) == 0 && strings.HasPrefix(text[i:], x.parts[id]) {
				h[id>>6] |= 1 << (id & 63)
			}
		}
	}
	return h
}
