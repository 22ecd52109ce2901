package reporting

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
)

// Audience is the audience report: contacts per status and new contacts per day and week.
type Audience struct {
	Statuses []StatusCount
	Total    int64
	Days     []PeriodCount // the last GrowthDays days, oldest first (days without contacts too)
	Weeks    []PeriodCount // the last GrowthWeeks weeks (Monday to Sunday, UTC), oldest first
	// CountedAt is when the background count ran (zero: not yet; every figure is then read
	// live, up to LiveWindow contacts); Since the contacts added after it, counted live.
	CountedAt time.Time
	Since     int64
	// Partial says that more contacts arrived since the count than a page reads: they
	// appear after the next count.
	Partial bool
}

// StatusCount is the number of contacts in one status.
type StatusCount struct {
	Status string
	Count  int64
}

// PeriodCount is the number of contacts created in a period starting on Start (UTC).
type PeriodCount struct {
	Start time.Time
	Count int64
}

// GrowthDays and GrowthWeeks are the periods the growth report shows.
const (
	GrowthDays  = 30
	GrowthWeeks = 12
)

// statusOrder lists the contact statuses in the order the reports show them.
var statusOrder = []string{string(contact.StatusActive), string(contact.StatusUnsubscribed), string(contact.StatusBounced), string(contact.StatusBlocked)}

// Audience reads the workspace's audience report: the stored count plus the contacts added
// since (at most LiveWindow of them, read by primary key).
func (s *Service) Audience(ctx context.Context, ws int64) (Audience, error) {
	snap, st, err := s.read(ctx, ws)
	if err != nil {
		return Audience{}, err
	}
	a := Audience{CountedAt: st.CountedAt}
	last, _, err := s.st.LastIDs(ctx)
	if err != nil {
		return Audience{}, err
	}
	a.Partial = last > st.UptoContact+LiveWindow
	err = s.st.EachContactFact(ctx, ws, st.UptoContact, LiveWindow, func(c ContactFact) error {
		a.Since++
		snap.Status[c.Status]++
		snap.Days[day(c.CreatedAt)]++
		return nil
	})
	if err != nil {
		return Audience{}, err
	}
	for _, name := range statusOrder {
		a.Statuses = append(a.Statuses, StatusCount{Status: name, Count: snap.Status[name]})
	}
	var others []StatusCount
	for name, n := range snap.Status {
		if !slices.Contains(statusOrder, name) {
			others = append(others, StatusCount{Status: name, Count: n})
		}
	}
	slices.SortFunc(others, func(x, y StatusCount) int { return cmp.Compare(x.Status, y.Status) })
	a.Statuses = append(a.Statuses, others...)
	for _, c := range a.Statuses {
		a.Total += c.Count
	}
	today := midnight(s.now())
	for i := GrowthDays - 1; i >= 0; i-- {
		d := today.AddDate(0, 0, -i)
		a.Days = append(a.Days, PeriodCount{Start: d, Count: snap.Days[day(d)]})
	}
	monday := today.AddDate(0, 0, -((int(today.Weekday()) + 6) % 7))
	for i := GrowthWeeks - 1; i >= 0; i-- {
		start := monday.AddDate(0, 0, -7*i)
		var n int64
		for k := range 7 {
			n += snap.Days[day(start.AddDate(0, 0, k))]
		}
		a.Weeks = append(a.Weeks, PeriodCount{Start: start, Count: n})
	}
	return a, nil
}

// midnight is the start of t's day in UTC.
func midnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
