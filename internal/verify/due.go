package verify

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// NeverChecked passed as before to AddressesDue selects only the addresses never verified.
var NeverChecked = time.Unix(1, 0)

// AddressesDue returns the workspace's addresses (of the named list when list is not "")
// never verified or verified before before (zero: all). An unknown list wraps
// errs.ErrNotFound.
func (s *Service) AddressesDue(ctx context.Context, ws int64, list string, before time.Time) ([]string, error) {
	var listID int64
	if list != "" {
		l, err := s.st.ListByName(ctx, ws, list)
		if err != nil {
			return nil, fmt.Errorf("list %q: %w (see `clearlist list ls`)", list, err)
		}
		listID = l.ID
	}
	var out []string
	err := s.st.EachAddressDue(ctx, ws, listID, before, func(addr string) error {
		out = append(out, addr)
		return nil
	})
	return out, err
}

// Reverify re-checks (online, without the probe) the addresses of every workspace last
// checked more than days ago, and returns how many it checked. Addresses never checked are
// left to `clearlist verify` and import --verify: a scheduled job should not start probing a
// whole new list by itself.
func (s *Service) Reverify(ctx context.Context, days int, now time.Time) (int, error) {
	if days <= 0 {
		return 0, nil
	}
	wss, err := s.st.WorkspaceIDs(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ws := range wss {
		var due []string
		err := s.st.EachStaleVerification(ctx, ws, now.AddDate(0, 0, -days), func(addr string) error {
			due = append(due, addr)
			return nil
		})
		if err != nil {
			return total, err
		}
		if len(due) == 0 {
			continue
		}
		if err := s.Check(ctx, ws, slices.Values(due), CheckOptions{Store: true}, nil); err != nil {
			return total, err
		}
		total += len(due)
	}
	return total, nil
}
