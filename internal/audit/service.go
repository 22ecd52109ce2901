package audit

import (
	"context"
	"fmt"
)

// Filter narrows a listing of the trail.
type Filter struct {
	Entity string // only entries about this entity ("suppression", "contact", …)
	Limit  int    // at most this many, newest first; 0 means 100
}

// Store is what the audit service needs from the database.
type Store interface {
	AuditEntries(ctx context.Context, ws int64, f Filter) ([]Entry, error)
	EachAuditEntry(ctx context.Context, ws int64, fn func(Entry) error) error
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
	Workspace int64  `json:"workspace"`
	Entries   int64  `json:"entries"`
	Head      Digest `json:"head"`
	Broken    *Break `json:"broken,omitempty"`
}

// Verify walks the workspace's chain and names the first broken entry.
func (s *Service) Verify(ctx context.Context, ws int64) (Report, error) {
	var v Verifier
	err := s.st.EachAuditEntry(ctx, ws, func(e Entry) error {
		v.Add(e)
		return nil
	})
	if err != nil {
		return Report{}, err
	}
	r := Report{Workspace: ws, Entries: v.Len(), Head: v.Head(), Broken: v.broken}
	return r, nil
}
