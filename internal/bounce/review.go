package bounce

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/suppress"
)

// Reviews lists the replies queued for a person, the pending ones only unless all.
func (s *Service) Reviews(ctx context.Context, ws int64, all bool) ([]Review, error) {
	return s.st.BounceReviews(ctx, ws, !all)
}

// Decide records a person's decision on a queued reply, with its audit entry: stop puts
// the address on the do-not-contact list (reason request-email, the deadline running from
// when the reply was received), dismiss records that it does not ask to stop. A review
// decided already is ErrDecided.
func (s *Service) Decide(ctx context.Context, ws, id int64, stop bool, by string) (Review, error) {
	by = strings.TrimSpace(by)
	if by == "" {
		return Review{}, fmt.Errorf("say who decides (a name for the record)")
	}
	r, err := s.st.BounceReview(ctx, ws, id)
	if err != nil {
		return Review{}, fmt.Errorf("review %d: %w", id, err)
	}
	if r.State != ReviewPending {
		return r, fmt.Errorf("review %d: %w (%s by %s)", id, ErrDecided, r.State, r.DecidedBy)
	}
	state := ReviewDismissed
	var entries []suppress.Suppression
	if stop {
		state = ReviewStopped
		e, err := s.dnc.PrepareSuppression(ctx, ws, suppress.Intake{Kind: string(suppress.KindEmail), Value: r.Address,
			Scope: suppress.ChannelEmail, Reason: string(suppress.ReasonRequestEmail), ChannelIn: suppress.InEmail,
			By: clip(by, 200), Note: clip(fmt.Sprintf("reply asking to stop (%q), decided on review %d", r.Matched, r.ID), 900),
			ReceivedAt: r.ReceivedAt}, s.now().UTC())
		if err != nil {
			return Review{}, fmt.Errorf("review %d: %w", id, err)
		}
		entries = append(entries, e)
	}
	r, added, err := s.st.DecideBounceReview(ctx, ws, id, state, clip(by, 200), entries)
	if err != nil {
		return r, fmt.Errorf("review %d: %w", id, err)
	}
	if len(added) > 0 {
		if _, err := s.dnc.Screen(ctx, ws, true); err != nil {
			s.log.Warn("screening index not caught up after a review", "workspace_id", ws, "err", err)
		}
	}
	return r, nil
}

// Events lists the workspace's delivery events, newest first (at most 1,000 a page).
func (s *Service) Events(ctx context.Context, ws int64, f EventFilter) ([]Stored, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	return s.st.BounceEvents(ctx, ws, f)
}

// PruneAll deletes the received messages older than each workspace's bounce.keep_days
// (the default for those of no known workspace), each workspace's deletion audited, and
// says how many it deleted.
func (s *Service) PruneAll(ctx context.Context, now time.Time) (int, error) {
	wss, err := s.st.InboundWorkspaces(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ws := range wss {
		days := DefaultKeepDays
		if ws != 0 {
			if days, err = s.intSetting(ctx, ws, SettingKeepDays, DefaultKeepDays); err != nil {
				return total, err
			}
		}
		n, err := s.st.PruneInbound(ctx, ws, now.UTC().Add(-time.Duration(days)*24*time.Hour))
		total += n
		if err != nil {
			return total, fmt.Errorf("workspace %d: %w", ws, err)
		}
	}
	return total, nil
}
