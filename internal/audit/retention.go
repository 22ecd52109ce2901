package audit

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// RetentionSetting is the workspace setting that keeps entries for that many days (a whole
// number, at least MinRetentionDays); unset or 0 keeps them for ever, the default.
const RetentionSetting = "audit.retention_days"

// MinRetentionDays is the shortest retention a workspace may set.
const MinRetentionDays = 1

// Anchor is where a workspace's chain starts once older entries were removed: the position
// and hash of the last removed entry, which the first kept entry links to.
type Anchor struct {
	Seq      int64     `json:"seq"`
	EntryID  int64     `json:"entry_id"`
	Hash     Digest    `json:"hash"`
	PrunedAt time.Time `json:"pruned_at"`
}

// ParseRetention reads a value of RetentionSetting: days, 0 for keep for ever.
func ParseRetention(v string) (int, error) {
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || (n > 0 && n < MinRetentionDays) || n > 36500 {
		return 0, fmt.Errorf("setting %s: give a number of days (at least %d; 0 keeps entries for ever), not %q",
			RetentionSetting, MinRetentionDays, v)
	}
	return n, nil
}

// PruneResult is what one prune of a workspace did.
type PruneResult struct {
	Workspace int64   `json:"workspace"`
	Removed   int     `json:"removed"`
	Anchor    *Anchor `json:"anchor,omitempty"` // the chain's start after the prune
}

// Prune removes the workspace's entries recorded more than days days before now, keeping
// the chain verifiable from the new anchor; the prune itself is recorded as an entry
// (audit.prune) in the same transaction. days <= 0 removes nothing.
func (s *Service) Prune(ctx context.Context, ws int64, days int, now time.Time) (PruneResult, error) {
	r := PruneResult{Workspace: ws}
	if days <= 0 {
		return r, nil
	}
	n, err := s.st.PruneAudit(ctx, ws, now.Add(-time.Duration(days)*24*time.Hour))
	if err != nil {
		return r, err
	}
	r.Removed = n
	if a, ok, err := s.st.AuditAnchor(ctx, ws); err != nil {
		return r, err
	} else if ok {
		r.Anchor = &a
	}
	return r, nil
}

// Retention returns the workspace's retention in days (0: keep for ever).
func (s *Service) Retention(ctx context.Context, ws int64) (int, error) {
	v, ok, err := s.st.Setting(ctx, ws, RetentionSetting)
	if err != nil || !ok {
		return 0, err
	}
	return ParseRetention(v)
}

// PruneAll prunes every workspace that set a retention, as the daily job does, and returns
// how many entries it removed in all. A workspace whose setting does not read is skipped
// (the setting was checked when it was set) and reported in the error after the others ran.
func (s *Service) PruneAll(ctx context.Context, now time.Time) (int, error) {
	all, err := s.st.SettingOfAll(ctx, RetentionSetting)
	if err != nil {
		return 0, err
	}
	total := 0
	var firstErr error
	for ws, v := range all {
		days, err := ParseRetention(v)
		if err == nil {
			var r PruneResult
			r, err = s.Prune(ctx, ws, days, now)
			total += r.Removed
		}
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("prune the audit trail of workspace %d: %w", ws, err)
		}
	}
	return total, firstErr
}
