// Package localtime places a campaign's messages at a time of day in each recipient's own
// time zone: the zone comes from the contact's "timezone" attribute (an IANA name), else
// from their country (the country's main zone, an approximation for countries with several),
// else the workspace's default.
package localtime

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // the zones are known even on a host without a zoneinfo database
)

// Clock is a time of day, minutes after midnight.
type Clock int

// ParseClock reads "HH:MM" (24-hour).
func ParseClock(s string) (Clock, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("give a time of day as HH:MM (24-hour, e.g. 09:30), not %q", s)
	}
	return Clock(hh*60 + mm), nil
}

// String is the clock as HH:MM.
func (c Clock) String() string { return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60) }

// Next is the first moment at or after from when the clock shows c in loc: today's if it
// has not passed there yet, else tomorrow's. A time that a daylight-saving change skips
// moves forward with the clocks (time.Date's rule).
func (c Clock) Next(from time.Time, loc *time.Location) time.Time {
	l := from.In(loc)
	at := time.Date(l.Year(), l.Month(), l.Day(), int(c)/60, int(c)%60, 0, 0, loc)
	if at.Before(from) {
		at = time.Date(l.Year(), l.Month(), l.Day()+1, int(c)/60, int(c)%60, 0, 0, loc)
	}
	return at.UTC()
}

// Source says where a recipient's zone came from.
type Source string

// The sources of a zone.
const (
	FromAttribute Source = "attribute"
	FromCountry   Source = "country"
	FromDefault   Source = "default"
)

// Resolver finds zones, loading each IANA zone once. Not safe for concurrent use.
type Resolver struct {
	Default *time.Location
	cache   map[string]*time.Location
}

// NewResolver returns a resolver whose fallback is def (UTC when nil).
func NewResolver(def *time.Location) *Resolver {
	if def == nil {
		def = time.UTC
	}
	return &Resolver{Default: def, cache: map[string]*time.Location{}}
}

// Zone is the recipient's zone: the timezone attribute when it names a known IANA zone,
// else the country's main zone, else the default.
func (r *Resolver) Zone(attr, country string) (*time.Location, Source) {
	if l := r.load(strings.TrimSpace(attr)); l != nil {
		return l, FromAttribute
	}
	if name, ok := countryZones[strings.ToUpper(strings.TrimSpace(country))]; ok {
		if l := r.load(name); l != nil {
			return l, FromCountry
		}
	}
	return r.Default, FromDefault
}

func (r *Resolver) load(name string) *time.Location {
	// Only IANA names ("Europe/Berlin", "UTC"): "Local" and file paths are not a person's zone.
	if name == "" || name == "Local" || strings.Contains(name, "..") || strings.HasPrefix(name, "/") || len(name) > 64 {
		return nil
	}
	if l, ok := r.cache[name]; ok {
		return l
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		l = nil
	}
	r.cache[name] = l
	return l
}

// CountryZone is the main zone of a country (ISO 3166 alpha-2), "" when not in the table.
func CountryZone(country string) string { return countryZones[strings.ToUpper(country)] }
