package reporting

import (
	"context"
	"slices"
	"time"
)

// DNC is the do-not-contact intake report: entries received per week and how many were
// recorded after their deadline, with the latest late entries.
type DNC struct {
	Weeks []DNCWeek // the last DNCWeeks weeks (Monday to Sunday, UTC), oldest first
	Late  []DNCFact // the latest late entries (at most DNCLateShown), newest first
	// Received and LateCount are the window's totals.
	Received, LateCount int64
}

// DNCWeek is one week of intake.
type DNCWeek struct {
	Start          time.Time
	Received, Late int64
}

// Lateness is how long after its deadline an entry was recorded.
func (f DNCFact) Lateness() time.Duration { return f.RecordedAt.Sub(f.Deadline) }

// IsLate says whether the entry was recorded after its deadline.
func (f DNCFact) IsLate() bool { return f.RecordedAt.After(f.Deadline) }

// The window of the intake report.
const (
	DNCWeeks     = 12
	DNCLateShown = 20
)

// DNC reads the intake report of the last DNCWeeks weeks (the entries received in them, by
// the index on received_at).
func (s *Service) DNC(ctx context.Context, ws int64) (DNC, error) {
	today := midnight(s.now())
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	first := monday.AddDate(0, 0, -7*(DNCWeeks-1))
	var d DNC
	for i := range DNCWeeks {
		d.Weeks = append(d.Weeks, DNCWeek{Start: first.AddDate(0, 0, 7*i)})
	}
	err := s.st.EachDNCReceived(ctx, ws, first, func(f DNCFact) error {
		i := int(f.ReceivedAt.UTC().Sub(first) / (7 * 24 * time.Hour))
		if i < 0 || i >= len(d.Weeks) {
			return nil
		}
		d.Weeks[i].Received++
		d.Received++
		if f.IsLate() {
			d.Weeks[i].Late++
			d.LateCount++
			d.Late = append(d.Late, f)
			if len(d.Late) > 4*DNCLateShown {
				d.Late = slices.Clone(d.Late[len(d.Late)-DNCLateShown:])
			}
		}
		return nil
	})
	if err != nil {
		return DNC{}, err
	}
	d.Late = d.Late[max(0, len(d.Late)-DNCLateShown):]
	slices.Reverse(d.Late)
	return d, nil
}
