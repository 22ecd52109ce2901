package audit

import (
	"fmt"

	"github.com/clearlist/clearlist/internal/chain"
)

// Digest is a SHA-256 hash of an entry; it prints and marshals as hex.
type Digest = chain.Digest

// Genesis is the PrevHash of the first entry of every workspace: 32 zero bytes.
var Genesis = chain.Genesis

const hashVersion = "clearlist/audit/v1"

// Hash computes an entry's hash: SHA-256 over a length-prefixed encoding of every field but
// Hash, PrevHash included, in a fixed order (the consent ledger's scheme). Times are UTC with
// six fraction digits, the precision both engines keep.
func Hash(e Entry) Digest {
	h := chain.NewEncoder(hashVersion)
	h.Num(e.ID)
	h.Num(e.WorkspaceID)
	h.Num(e.Seq)
	h.Str(string(e.Actor.Kind))
	h.Str(e.Actor.ID)
	h.Str(e.Actor.Name)
	h.Str(e.Actor.Role)
	h.Str(e.Actor.RequestID)
	h.Str(e.Action)
	h.Str(e.Entity)
	h.Str(e.EntityID)
	h.Num(int64(len(e.Changes)))
	for _, c := range e.Changes {
		h.Str(c.Field)
		h.Str(c.Before)
		h.Str(c.After)
		if c.Personal {
			h.Str("p")
		} else {
			h.Str("")
		}
	}
	h.Time(e.RecordedAt)
	h.Bytes(e.PrevHash)
	return h.Sum()
}

// Break is the first entry where a chain does not hold.
type Break chain.Break

func (b *Break) Error() string {
	return fmt.Sprintf("audit trail broken at entry %d (seq %d): %s", b.EntryID, b.Seq, b.Reason)
}

// Verifier checks one workspace's chain an entry at a time, in chain order.
type Verifier struct{ c chain.Verifier }

// Add checks the next entry and returns the break if the chain does not hold there; after a
// break it keeps returning the first one.
func (v *Verifier) Add(e Entry) *Break {
	l := chain.Link{ID: e.ID, Seq: e.Seq, WorkspaceID: e.WorkspaceID, PrevHash: e.PrevHash, Hash: e.Hash}
	return (*Break)(v.c.Add(l, Hash(e)))
}

// Len is the number of entries checked so far.
func (v *Verifier) Len() int64 { return v.c.Len() }

// Head is the hash of the last entry checked, Genesis for an empty chain.
func (v *Verifier) Head() Digest { return v.c.Head() }
