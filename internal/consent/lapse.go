package consent

import (
	"context"
	"fmt"
	"time"
)

// LapseImplied records, for every contact of the workspace whose implied consent (CASL: two
// years after a purchase, six months after an inquiry) has run out, an expired entry per
// marketing purpose and channel the jurisdiction gives implied consent on — so that the
// lapse is on the ledger, with the date it started from and the rule. The verdict does not
// wait for this: evaluation measures the window itself. An entry is written only where the
// ledger holds nothing else for that purpose and channel (an express consent or a withdrawal
// stands) and once per lapse: a later purchase that lapses in turn gets a new entry. The
// lapses are all found before the first is written, so the read never holds the database
// while appending. It returns how many entries it wrote.
func (s *Service) LapseImplied(ctx context.Context, ws int64, now time.Time) (int, error) {
	if s.lapses == nil {
		return 0, nil
	}
	purposes, err := s.st.Purposes(ctx, ws)
	if err != nil {
		return 0, err
	}
	var due []Entry
	for _, p := range purposes {
		if !p.Marketing {
			continue
		}
		for _, ch := range Channels {
			found, err := s.lapses.LapsedImplied(ctx, ws, p.Name, ch, now)
			if err != nil {
				return 0, err
			}
			due = append(due, found...)
		}
	}
	for i, e := range due {
		if _, err := s.st.AppendConsent(ctx, e); err != nil {
			return i, fmt.Errorf("record lapsed implied consent of contact %d: %w", e.ContactID, err)
		}
	}
	return len(due), nil
}

// LapseImpliedAll runs LapseImplied for every workspace (the daily job).
func (s *Service) LapseImpliedAll(ctx context.Context, now time.Time) (int, error) {
	wss, err := s.st.WorkspaceIDs(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ws := range wss {
		n, err := s.LapseImplied(ctx, ws, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
