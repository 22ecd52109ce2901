package reporting

import (
	"context"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
)

// Lists is the workspace's lists with their member counts as of the last count
// (CountedAt); before the first count the members are counted now.
type Lists struct {
	Lists     []contact.ListWithCount
	CountedAt time.Time
}

// Lists reads the lists with the counted members (a list made since shows 0 until the next
// count), so that the dashboard does not count a million memberships on each view.
func (s *Service) Lists(ctx context.Context, ws int64) (Lists, error) {
	snap, st, err := s.read(ctx, ws)
	if err != nil {
		return Lists{}, err
	}
	counts := snap.Lists
	if st.CountedAt.IsZero() {
		if counts, err = s.st.ListMemberCounts(ctx, ws); err != nil {
			return Lists{}, err
		}
	}
	ls, err := s.st.ListsOnly(ctx, ws)
	if err != nil {
		return Lists{}, err
	}
	out := Lists{CountedAt: st.CountedAt, Lists: make([]contact.ListWithCount, len(ls))}
	for i, l := range ls {
		out.Lists[i] = contact.ListWithCount{List: l, Members: counts[l.ID]}
	}
	return out, nil
}
