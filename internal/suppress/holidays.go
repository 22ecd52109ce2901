package suppress

import (
	"sync"
	"time"
)

// The business-day calendars a deadline rule can count in.
const (
	CalendarUS = "US" // Mon-Fri except US federal holidays (5 U.S.C. §6103)
	CalendarCA = "CA" // Mon-Fri except Canadian federal general holidays (Canada Labour Code s. 166)
	// Any other calendar name (or "") counts Mon-Fri only.
)

// Holiday is one day a calendar does not count as a business day.
type Holiday struct {
	Date time.Time // midnight UTC of the civil date it is observed on
	Name string
}

// Holidays lists the days calendar observes as holidays in year, in date
// order. A US holiday on a Saturday is observed the Friday before and on a
// Sunday the Monday after (5 U.S.C. §6103(b), Executive Order 11582), so New
// Year's Day can be observed on 31 December of the year before. A Canadian
// holiday on a weekend is observed on the next weekday that is not already a
// holiday (Canada Labour Code s. 195; Holidays Act for Canada Day).
func Holidays(calendar string, year int) []Holiday {
	switch calendar {
	case CalendarUS:
		return usHolidays(year)
	case CalendarCA:
		return caHolidays(year)
	}
	return nil
}

// BusinessDay reports whether the civil date of day (in day's location) is a
// business day in calendar.
func BusinessDay(day time.Time, calendar string) bool {
	if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	y, m, d := day.Date()
	key := y*10000 + int(m)*100 + d
	set := holidaySet(calendar, y)
	if set[key] {
		return false
	}
	// An observed day can fall in the year before the holiday (US New Year's).
	return !holidaySet(calendar, y+1)[key]
}

var holidayCache sync.Map // calendar+year -> map[int]bool of yyyymmdd

func holidaySet(calendar string, year int) map[int]bool {
	if calendar != CalendarUS && calendar != CalendarCA {
		return nil
	}
	type ck struct {
		cal  string
		year int
	}
	if s, ok := holidayCache.Load(ck{calendar, year}); ok {
		return s.(map[int]bool)
	}
	s := map[int]bool{}
	for _, h := range Holidays(calendar, year) {
		y, m, d := h.Date.Date()
		s[y*10000+int(m)*100+d] = true
	}
	holidayCache.Store(ck{calendar, year}, s)
	return s
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// nthWeekday returns the n-th (1-based) weekday wd of a month; n = -1 is
// the last.
func nthWeekday(y int, m time.Month, wd time.Weekday, n int) time.Time {
	if n < 0 {
		last := date(y, m+1, 0)
		return last.AddDate(0, 0, -((int(last.Weekday()) - int(wd) + 7) % 7))
	}
	first := date(y, m, 1)
	return first.AddDate(0, 0, (int(wd)-int(first.Weekday())+7)%7+7*(n-1))
}

func usHolidays(y int) []Holiday {
	hs := []Holiday{
		{usObserved(date(y, time.January, 1)), "New Year's Day"},
		{nthWeekday(y, time.January, time.Monday, 3), "Birthday of Martin Luther King, Jr."},
		{nthWeekday(y, time.February, time.Monday, 3), "Washington's Birthday"},
		{nthWeekday(y, time.May, time.Monday, -1), "Memorial Day"},
	}
	if y >= 2021 {
		hs = append(hs, Holiday{usObserved(date(y, time.June, 19)), "Juneteenth National Independence Day"})
	}
	return append(hs,
		Holiday{usObserved(date(y, time.July, 4)), "Independence Day"},
		Holiday{nthWeekday(y, time.September, time.Monday, 1), "Labor Day"},
		Holiday{nthWeekday(y, time.October, time.Monday, 2), "Columbus Day"},
		Holiday{usObserved(date(y, time.November, 11)), "Veterans Day"},
		Holiday{nthWeekday(y, time.November, time.Thursday, 4), "Thanksgiving Day"},
		Holiday{usObserved(date(y, time.December, 25)), "Christmas Day"},
	)
}

func usObserved(d time.Time) time.Time {
	switch d.Weekday() {
	case time.Saturday:
		return d.AddDate(0, 0, -1)
	case time.Sunday:
		return d.AddDate(0, 0, 1)
	}
	return d
}

func caHolidays(y int) []Holiday {
	victoria := date(y, time.May, 24) // the Monday before 25 May
	victoria = victoria.AddDate(0, 0, -((int(victoria.Weekday()) + 6) % 7))
	hs := []Holiday{
		{date(y, time.January, 1), "New Year's Day"},
		{easter(y).AddDate(0, 0, -2), "Good Friday"},
		{victoria, "Victoria Day"},
		{date(y, time.July, 1), "Canada Day"},
		{nthWeekday(y, time.September, time.Monday, 1), "Labour Day"},
	}
	if y >= 2021 {
		hs = append(hs, Holiday{date(y, time.September, 30), "National Day for Truth and Reconciliation"})
	}
	hs = append(hs,
		Holiday{nthWeekday(y, time.October, time.Monday, 2), "Thanksgiving Day"},
		Holiday{date(y, time.November, 11), "Remembrance Day"},
		Holiday{date(y, time.December, 25), "Christmas Day"},
		Holiday{date(y, time.December, 26), "Boxing Day"},
	)
	// Move weekend holidays, in date order, to the next free weekday.
	taken := map[time.Time]bool{}
	for _, h := range hs {
		taken[h.Date] = true
	}
	for i, h := range hs {
		d := h.Date
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			continue
		}
		for wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday || taken[d]; wd = d.Weekday() {
			d = d.AddDate(0, 0, 1)
		}
		taken[d] = true
		hs[i].Date = d
	}
	return hs
}

// easter returns Easter Sunday of the Gregorian calendar (the anonymous
// Gregorian algorithm, Meeus/Jones/Butcher).
func easter(y int) time.Time {
	a, b, c := y%19, y/100, y%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return date(y, time.Month(month), day)
}
