package consent

import (
	"bytes"
	"fmt"
	"iter"
)

// Break is the first entry where a chain does not hold.
type Break struct {
	EntryID int64  `json:"entry_id"`
	Seq     int64  `json:"seq"`
	Reason  string `json:"reason"`
}

func (b *Break) Error() string { return fmt.Sprintf("broken at entry %d: %s", b.EntryID, b.Reason) }

// Verifier checks a workspace's chain one entry at a time, in chain order.
type Verifier struct {
	n      int64
	ws     int64
	prev   Digest
	broken *Break
}

// Add checks the next entry and returns the break if the chain does not hold there. After a
// break, Add keeps returning the first one.
func (v *Verifier) Add(e Entry) *Break {
	if v.broken != nil {
		return v.broken
	}
	if v.n == 0 {
		v.prev, v.ws = Genesis, e.WorkspaceID
	}
	v.n++
	fail := func(format string, args ...any) *Break {
		v.broken = &Break{EntryID: e.ID, Seq: e.Seq, Reason: fmt.Sprintf(format, args...)}
		return v.broken
	}
	switch {
	case e.WorkspaceID != v.ws:
		return fail("entry belongs to workspace %d, the chain to workspace %d", e.WorkspaceID, v.ws)
	case e.Seq != v.n:
		return fail("sequence gap: entry has position %d, expected %d (an entry was removed or reordered)", e.Seq, v.n)
	case !bytes.Equal(e.PrevHash, v.prev):
		return fail("prev-hash mismatch: entry links to %s, the previous entry's hash is %s", short(e.PrevHash), short(v.prev))
	}
	if got := Hash(e); !bytes.Equal(got, e.Hash) {
		return fail("hash mismatch: stored %s, contents hash to %s (the entry was changed after it was recorded)", short(e.Hash), short(got))
	}
	v.prev = e.Hash
	return nil
}

// Len is the number of entries checked so far.
func (v *Verifier) Len() int64 { return v.n }

// Head is the hash of the last entry checked, Genesis for an empty chain. Keeping a copy of
// it elsewhere lets a later check notice entries cut off the end.
func (v *Verifier) Head() Digest {
	if v.n == 0 {
		return Genesis
	}
	return v.prev
}

// VerifyChain walks one workspace's entries in chain order and returns the first broken
// entry, or nil when the chain holds.
func VerifyChain(entries iter.Seq[Entry]) *Break {
	var v Verifier
	for e := range entries {
		if b := v.Add(e); b != nil {
			return b
		}
	}
	return nil
}

func short(d Digest) string {
	s := d.String()
	if len(s) > 16 {
		return s[:16] + "…"
	}
	if s == "" {
		return "(empty)"
	}
	return s
}
