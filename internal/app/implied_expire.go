package app

import (
	"context"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
)

// ExpireImpliedConsent records, for every contact of the workspace whose implied consent
// (CASL: two years after a purchase, six months after an inquiry) has run out, an expired
// entry per marketing purpose and channel the jurisdiction gives implied consent on — so
// that the lapse is on the ledger, with the date it started from and the rule. The verdict
// does not wait for this job: evaluation measures the window itself. An entry is written
// only where the ledger holds nothing else for that purpose and channel (an express consent
// or a withdrawal stands) and once per lapse: a later purchase that lapses in turn gets a
// new entry. It returns how many entries it wrote.
func (a *App) ExpireImpliedConsent(ctx context.Context, ws int64, now time.Time) (int, error) {
	purposes, err := a.Store.Purposes(ctx, ws)
	if err != nil {
		return 0, err
	}
	var due []consent.Entry
	for _, p := range purposes {
		if !p.Marketing {
			continue
		}
		for _, ch := range consent.Channels {
			found, err := a.lapsedImplied(ctx, ws, p.Name, ch, now)
			if err != nil {
				return 0, err
			}
			due = append(due, found...)
		}
	}
	for i, e := range due {
		if _, err := a.Store.AppendConsent(ctx, e); err != nil {
			return i, fmt.Errorf("record lapsed implied consent of contact %d: %w", e.ContactID, err)
		}
	}
	return len(due), nil
}

// lapsedImplied collects the expired entries due for one purpose and channel. They are
// written after the read, which must not hold the database while appending.
func (a *App) lapsedImplied(ctx context.Context, ws int64, purpose string, ch consent.Channel, now time.Time) ([]consent.Entry, error) {
	return a.Elig.LapsedImplied(ctx, ws, purpose, ch, now)
}

// ExpireAllImpliedConsent runs ExpireImpliedConsent for every workspace.
func (a *App) ExpireAllImpliedConsent(ctx context.Context, now time.Time) (int, error) {
	wss, err := a.Store.WorkspaceIDs(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ws := range wss {
		n, err := a.ExpireImpliedConsent(ctx, ws, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
