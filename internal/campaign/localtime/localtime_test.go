package localtime

import (
	"testing"
	"time"
)

func TestParseClock(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Clock
		ok   bool
	}{
		{"09:30", 570, true}, {"00:00", 0, true}, {"23:59", 1439, true}, {" 7:05 ", 425, true},
		{"24:00", 0, false}, {"9:5", 0, false}, {"12", 0, false}, {"ab:cd", 0, false}, {"-1:00", 0, false}, {"", 0, false},
	} {
		got, err := ParseClock(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseClock(%q) = %v, %v", tc.in, got, err)
		}
	}
	if s := Clock(570).String(); s != "09:30" {
		t.Errorf("String = %s", s)
	}
}

func TestNext(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	ny, _ := time.LoadLocation("America/New_York")
	from := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC) // 13:00 in Berlin, 08:00 in New York
	for _, tc := range []struct {
		clock string
		loc   *time.Location
		want  time.Time
	}{
		{"09:00", berlin, time.Date(2026, 3, 11, 8, 0, 0, 0, time.UTC)}, // passed there: tomorrow
		{"14:00", berlin, time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC)},
		{"09:00", ny, time.Date(2026, 3, 10, 13, 0, 0, 0, time.UTC)}, // EDT since 8 March
		{"12:00", time.UTC, from},                                    // now is not passed
		// 02:30 does not exist in Berlin on 29 March 2026: it moves forward with the clocks.
		{"02:30", berlin, time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)},
	} {
		c, _ := ParseClock(tc.clock)
		f := from
		if tc.clock == "02:30" {
			f = time.Date(2026, 3, 28, 12, 0, 0, 0, time.UTC)
		}
		if got := c.Next(f, tc.loc); !got.Equal(tc.want) {
			t.Errorf("%s in %s from %s = %s, want %s", tc.clock, tc.loc, f, got, tc.want)
		}
	}
}

func TestZone(t *testing.T) {
	def, _ := time.LoadLocation("Europe/Paris")
	r := NewResolver(def)
	for _, tc := range []struct {
		attr, country, want string
		src                 Source
	}{
		{"Asia/Tokyo", "DE", "Asia/Tokyo", FromAttribute},
		{"Mars/Olympus", "de", "Europe/Berlin", FromCountry},
		{"", "US", "America/New_York", FromCountry},
		{"Local", "", "Europe/Paris", FromDefault},
		{"../../etc/passwd", "XX", "Europe/Paris", FromDefault},
		{"", "", "Europe/Paris", FromDefault},
	} {
		l, src := r.Zone(tc.attr, tc.country)
		if l.String() != tc.want || src != tc.src {
			t.Errorf("Zone(%q, %q) = %s, %s; want %s, %s", tc.attr, tc.country, l, src, tc.want, tc.src)
		}
	}
	for c, name := range countryZones {
		if _, err := time.LoadLocation(name); err != nil {
			t.Errorf("country %s: zone %s: %v", c, name, err)
		}
	}
}

func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"09:30", "24:00", "x", "1:1:1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := ParseClock(s)
		if err == nil && (c < 0 || c >= 24*60) {
			t.Fatalf("ParseClock(%q) = %d", s, c)
		}
	})
}
