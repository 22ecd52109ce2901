package consent

import (
	"context"
	"fmt"
	"iter"

	"github.com/clearlist/clearlist/internal/chain"
)

// Break is the first entry where a chain does not hold.
type Break chain.Break

func (b *Break) Error() string { return fmt.Sprintf("broken at entry %d: %s", b.EntryID, b.Reason) }

// Verifier checks a workspace's chain one entry at a time, in chain order.
type Verifier struct{ c chain.Verifier }

// Add checks the next entry and returns the break if the chain does not hold there. After a
// break, Add keeps returning the first one.
func (v *Verifier) Add(e Entry) *Break {
	l := chain.Link{ID: e.ID, Seq: e.Seq, WorkspaceID: e.WorkspaceID, PrevHash: e.PrevHash, Hash: e.Hash}
	return (*Break)(v.c.Add(l, Hash(e)))
}

// Len is the number of entries checked so far.
func (v *Verifier) Len() int64 { return v.c.Len() }

// Head is the hash of the last entry checked, Genesis for an empty chain. Keeping a copy of
// it elsewhere lets a later check notice entries cut off the end.
func (v *Verifier) Head() Digest { return v.c.Head() }

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

// Verification is what Service.Verify found.
type Verification struct {
	Intact  bool   `json:"intact"`
	Entries int64  `json:"entries"` // entries checked (up to and including a break)
	Head    Digest `json:"head,omitempty"`
	Broken  *Break `json:"broken,omitempty"`
}

// Verify walks the workspace's ledger and names the first broken entry. The error is the
// store's; a broken chain is a Verification that is not Intact.
func (s *Service) Verify(ctx context.Context, ws int64) (Verification, error) {
	var v Verifier
	var res Verification
	err := s.st.EachConsent(ctx, ws, func(e Entry) error {
		if res.Broken = v.Add(e); res.Broken != nil {
			return res.Broken
		}
		return nil
	})
	if err != nil && res.Broken == nil {
		return Verification{}, err
	}
	res.Entries, res.Intact = v.Len(), res.Broken == nil
	if res.Intact {
		res.Head = v.Head()
	}
	return res, nil
}
