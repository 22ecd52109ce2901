package audit

import (
	"bytes"
	"context"
	"fmt"
	"time"
)

// Filter narrows a listing of the trail.
type Filter struct {
	Entity string // only entries about this entity ("suppression", "contact", …)
	Limit  int    // at most this many, newest first; 0 means 100
	Action string // only entries of this action ("suppression.add", …)
	// Actor: only entries whose actor has this name or id (a user's e-mail, a token's name).
	Actor  string
	Since  time.Time // only entries recorded at or after Since (zero: no bound)
	Until  time.Time // only entries recorded before Until (zero: no bound)
	Before int64     // cursor: only entries with a seq below Before (0: from the newest)
}

// Store is what the audit service needs from the database.
type Store interface {
	AuditEntries(ctx context.Context, ws int64, f Filter) ([]Entry, error)
	EachAuditEntry(ctx context.Context, ws int64, fn func(Entry) error) error
	// AuditAnchor returns where the workspace's chain starts after pruning (false: at Genesis).
	AuditAnchor(ctx context.Context, ws int64) (Anchor, bool, error)
	// PruneAudit removes the entries recorded before cutoff, moving the anchor, with an
	// audit.prune entry, in one transaction, and returns how many it removed.
	PruneAudit(ctx context.Context, ws int64, before time.Time) (int, error)
	// Setting returns one workspace setting (false: not set).
	Setting(ctx context.Context, ws int64, name string) (string, bool, error)
	// SettingOfAll returns one setting's value in every workspace that set it.
	SettingOfAll(ctx context.Context, name string) (map[int64]string, error)
}

// Service reads and verifies the trail; entries are written by the store in each change's
// own transaction, never through here.
type Service struct{ st Store }

// NewService returns the audit service over st.
func NewService(st Store) *Service { return &Service{st: st} }

// MaxLimit caps one listing.
const MaxLimit = 1000

// List returns the workspace's latest entries, newest first.
func (s *Service) List(ctx context.Context, ws int64, f Filter) ([]Entry, error) {
	if f.Limit < 0 || f.Limit > MaxLimit {
		return nil, fmt.Errorf("limit %d: give a number from 1 to %d", f.Limit, MaxLimit)
	}
	return s.st.AuditEntries(ctx, ws, f)
}

// Report is the outcome of verifying one workspace's trail.
type Report struct {
	Workspace int64   `json:"workspace"`
	Entries   int64   `json:"entries"`
	Head      Digest  `json:"head"`
	Anchor    *Anchor `json:"anchor,omitempty"` // where the chain starts after pruning
	Broken    *Break  `json:"broken,omitempty"`
}

// Verify walks the workspace's chain and names the first broken entry. Once older entries
// were removed (retention), the chain is checked from its anchor: the first kept entry must
// follow the anchor's position and link to its hash.
func (s *Service) Verify(ctx context.Context, ws int64) (Report, error) {
	r, anchor, err := s.verifyOnce(ctx, ws)
	if err != nil || r.Broken == nil {
		return r, err
	}
	// A prune between reading the anchor and the entries looks like a gap: check again.
	if now, ok, err := s.st.AuditAnchor(ctx, ws); err == nil && ok && (anchor == nil || !bytes.Equal(now.Hash, anchor.Hash)) {
		r, _, err = s.verifyOnce(ctx, ws)
		return r, err
	}
	return r, nil
}

func (s *Service) verifyOnce(ctx context.Context, ws int64) (Report, *Anchor, error) {
	var v Verifier
	a, ok, err := s.st.AuditAnchor(ctx, ws)
	if err != nil {
		return Report{}, nil, err
	}
	var anchor *Anchor
	if ok {
		anchor = &a
		v.c.StartAfter(ws, a.Seq, a.Hash)
	}
	var broken *Break
	err = s.st.EachAuditEntry(ctx, ws, func(e Entry) error {
		broken = v.Add(e) // after a break, the first one
		return nil
	})
	if err != nil {
		return Report{}, nil, err
	}
	return Report{Workspace: ws, Entries: v.Len(), Head: v.Head(), Anchor: anchor, Broken: broken}, anchor, nil
}
