package reporting

import (
	"context"
	"maps"
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
	// CountedAt is when the background count ran (zero: not yet, all read now); Since the
	// entries recorded after it, read now; Partial that more arrived than a page reads.
	CountedAt time.Time
	Since     int64
	Partial   bool
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

// dncCounts are the counted intake: per week (its Monday, "2006-01-02") the entries received
// and those recorded late, the latest late entries (newest last), and the last entry counted.
type dncCounts struct {
	Weeks map[string][2]int64 `json:"weeks"`
	Late  []DNCFact           `json:"late"`
	Upto  int64               `json:"upto"`
}

// countDNC adds to c the entries after c.Upto (at most limit of them, 0: all) and returns how
// many it read.
func (s *Service) countDNC(ctx context.Context, ws int64, c dncCounts, limit int) (dncCounts, int64, error) {
	c.Weeks, c.Late = maps.Clone(c.Weeks), slices.Clone(c.Late)
	if c.Weeks == nil {
		c.Weeks = map[string][2]int64{}
	}
	var n int64
	err := s.st.EachDNCAfter(ctx, ws, c.Upto, limit, func(f DNCFact) error {
		c.Upto = f.ID
		n++
		k := day(monday(f.ReceivedAt))
		w := c.Weeks[k]
		w[0]++
		if f.IsLate() {
			w[1]++
			c.Late = append(c.Late, f)
			if len(c.Late) > 4*DNCLateShown {
				c.Late = slices.Clone(c.Late[len(c.Late)-DNCLateShown:])
			}
		}
		c.Weeks[k] = w
		return nil
	})
	c.Late = c.Late[max(0, len(c.Late)-DNCLateShown):]
	return c, n, err
}

// monday is the start of t's week (Monday, UTC).
func monday(t time.Time) time.Time {
	d := midnight(t)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// DNC reads the intake report of the last DNCWeeks weeks: the background count plus the
// entries recorded since (at most LiveWindow, by primary key).
func (s *Service) DNC(ctx context.Context, ws int64) (DNC, error) {
	snap, st, err := s.read(ctx, ws)
	if err != nil {
		return DNC{}, err
	}
	_, last, err := s.st.LastIDs(ctx)
	if err != nil {
		return DNC{}, err
	}
	c, n, err := s.countDNC(ctx, ws, snap.DNC, LiveWindow)
	if err != nil {
		return DNC{}, err
	}
	d := DNC{CountedAt: st.CountedAt, Since: n, Partial: last > snap.DNC.Upto+LiveWindow}
	first := monday(s.now()).AddDate(0, 0, -7*(DNCWeeks-1))
	for i := range DNCWeeks {
		start := first.AddDate(0, 0, 7*i)
		w := c.Weeks[day(start)]
		d.Weeks = append(d.Weeks, DNCWeek{Start: start, Received: w[0], Late: w[1]})
		d.Received += w[0]
		d.LateCount += w[1]
	}
	for _, f := range slices.Backward(c.Late) {
		if !f.ReceivedAt.Before(first) {
			d.Late = append(d.Late, f)
		}
	}
	return d, nil
}
