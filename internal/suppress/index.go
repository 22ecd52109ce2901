package suppress

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
)

// Index is the in-memory screening index of one key (a workspace's, or the
// instance's): the set of keyed hashes on the list, each with the scopes that
// block it and a count of entries per scope.
//
// It keys on the first 8 bytes of each hash. Two different identifiers share
// a prefix with probability about n/2^64 per lookup (5e-13 at 10 million
// entries); when they do, the unlisted one is blocked too. That error only
// ever over-blocks, which is the safe direction for a do-not-contact list.
//
// The hashes are spread over 64 shards, each an open-addressing table behind
// its own RWMutex: many readers and one writer at a time, a writer holds up
// only the readers of its shard, and a shard that grows copies 1/64 of the
// index. 10 million entries take about 256 MB.
type Index struct {
	shards [numShards]shard
	n      atomic.Int64 // distinct hashes, so Len costs no locks
}

const (
	shardBits = 6
	numShards = 1 << shardBits
)

type shard struct {
	_  [64]byte // keeps each shard's lock on its own cache line
	mu sync.RWMutex
	t  table
}

// Match says what blocked an identifier.
type Match struct {
	Kind     Kind  // the kind of the hash that matched (set by Screen)
	Scope    Scope // the broadest scope that blocks it
	Instance bool  // an instance-wide entry (set by Screen)
}

// NewIndex returns an empty index sized for about sizeHint entries.
func NewIndex(sizeHint int) *Index {
	ix := &Index{}
	per := sizeHint / numShards
	for i := range ix.shards {
		ix.shards[i].t = newTable(per + per/8)
	}
	return ix
}

// prefix returns the table key of a hash.
func prefix(h *[32]byte) uint64 {
	k := binary.LittleEndian.Uint64(h[:8])
	if k == 0 {
		k = 1 // 0 marks an empty slot
	}
	return k
}

func (ix *Index) shard(k uint64) *shard { return &ix.shards[k>>(64-shardBits)] }

// Add puts an entry's hash and scope in the index. Adding the same hash and
// scope twice counts twice: it takes two Removes to undo.
func (ix *Index) Add(e Entry) error {
	if e.Kind != "" {
		if err := scopeFitsKind(e.Kind, e.Scope); err != nil {
			return err
		}
	}
	return ix.AddHash(e.Hash, e.Scope)
}

// AddHash puts a hash with a scope in the index, for bulk loads that have no
// Entry at hand (a registry file).
func (ix *Index) AddHash(h [32]byte, sc Scope) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	if h == ([32]byte{}) {
		return fmt.Errorf("%w: the hash is zero; hash the canonical value with a Keyer", ErrInvalid)
	}
	k := prefix(&h)
	s := ix.shard(k)
	s.mu.Lock()
	before := s.t.n
	s.t.add(k, sc)
	ix.n.Add(int64(s.t.n - before))
	s.mu.Unlock()
	return nil
}

// Remove takes one entry with hash h and scope sc out of the index and
// reports whether there was one. Other entries for the same hash, with the
// same or other scopes, keep blocking it.
func (ix *Index) Remove(h [32]byte, sc Scope) bool {
	k := prefix(&h)
	s := ix.shard(k)
	s.mu.Lock()
	before := s.t.n
	ok := s.t.remove(k, sc)
	ix.n.Add(int64(s.t.n - before))
	s.mu.Unlock()
	return ok
}

// Blocked reports whether hash h is blocked on channel for purpose, and by
// which scope. An empty (or unknown) channel or purpose means "not known":
// every scope then blocks.
func (ix *Index) Blocked(h [32]byte, channel, purpose string) (Match, bool) {
	k := prefix(&h)
	ch := channelIndex(channel)
	if ch < 0 {
		channel = ""
	}
	s := ix.shard(k)
	s.mu.RLock()
	v, ok := s.t.get(k)
	var sc Scope
	if ok {
		sc, ok = s.t.match(v, ch, channel, purpose)
	}
	s.mu.RUnlock()
	return Match{Scope: sc}, ok
}

// Len returns the number of distinct hashes in the index.
func (ix *Index) Len() int { return int(ix.n.Load()) }

// add counts one more entry for key with scope sc.
func (t *table) add(k uint64, sc Scope) {
	f := inlineField(sc)
	i, ok := t.find(k)
	if !ok {
		if f >= 0 {
			t.insert(k, 1<<(fieldBits*uint(f)))
			return
		}
		v := t.spill(0)
		t.spills[uint32(v)][sc] = 1
		t.insert(k, v)
		return
	}
	v := t.slots[i].val
	if v&spillFlag == 0 {
		if f >= 0 && (v>>(fieldBits*uint(f)))&fieldMax < fieldMax {
			t.slots[i].val = v + 1<<(fieldBits*uint(f))
			return
		}
		v = t.spill(v)
		t.slots[i].val = v
	}
	t.spills[uint32(v)][sc]++
}

// remove counts one entry less for key with scope sc.
func (t *table) remove(k uint64, sc Scope) bool {
	i, ok := t.find(k)
	if !ok {
		return false
	}
	v := t.slots[i].val
	if v&spillFlag == 0 {
		f := inlineField(sc)
		if f < 0 || (v>>(fieldBits*uint(f)))&fieldMax == 0 {
			return false
		}
		v -= 1 << (fieldBits * uint(f))
		if v == 0 {
			t.delete(i)
		} else {
			t.slots[i].val = v
		}
		return true
	}
	m := t.spills[uint32(v)]
	n := m[sc]
	switch {
	case n == 0:
		return false
	case n == 1:
		delete(m, sc)
	default:
		m[sc] = n - 1
	}
	if len(m) == 0 {
		t.unspill(v)
		t.delete(i)
	}
	return true
}

// match reports whether a stored value blocks channel (index ch, -1 for any)
// and purpose.
func (t *table) match(v uint64, ch int, channel, purpose string) (Scope, bool) {
	if v&spillFlag == 0 {
		mask := queryMask(ch)
		if v&mask == 0 {
			return Scope{}, false
		}
		return inlineMatch(v, mask), true
	}
	return spillMatch(t.spills[uint32(v)], channel, purpose)
}
