package suppress

import (
	"fmt"
	"sync"
	"time"
	_ "time/tzdata" // zone data inside the binary: callable checks work without /usr/share/zoneinfo

	"github.com/nyaruka/phonenumbers"
)

// Window is the span of local time of day in which calls are allowed, both
// ends included.
type Window struct {
	Start time.Duration // since local midnight
	End   time.Duration // since local midnight; a call at exactly End is allowed
}

// DefaultWindow is 08:00-21:00 at the called party's location: the TCPA
// forbids telephone solicitations "before the hour of 8 a.m. or after 9 p.m."
// (47 CFR §64.1200(c)(1); 16 CFR §310.4(c)). Some states are stricter; give
// their window instead.
var DefaultWindow = Window{Start: 8 * time.Hour, End: 21 * time.Hour}

// Validate checks 0 <= Start < End <= 24h.
func (w Window) Validate() error {
	if w.Start < 0 || w.End > 24*time.Hour || w.Start >= w.End {
		return fmt.Errorf("%w: calling window %s-%s: give a start before the end, both within the day (e.g. 08:00-21:00)", ErrInvalid, clock(w.Start), clock(w.End))
	}
	return nil
}

// CallableAt reports whether the number e164 may be called at the instant
// at: the local time must be inside the window in every time zone the
// number's prefix may be in (the strict reading for area codes that cross a
// zone line). zones are the candidate IANA zones; reason says why not.
func CallableAt(e164 string, at time.Time, window Window) (ok bool, zones []string, reason string) {
	if err := window.Validate(); err != nil {
		return false, nil, err.Error()
	}
	num, err := parseE164(e164)
	if err != nil {
		return false, nil, err.Error()
	}
	zones, err = phonenumbers.GetTimezonesForNumber(num)
	if err != nil || len(zones) == 0 || len(zones) == 1 && zones[0] == phonenumbers.UNKNOWN_TIMEZONE {
		return false, nil, fmt.Sprintf("the time zone of %s is unknown, so its local time cannot be checked; call only where the contact's location is confirmed", e164)
	}
	for _, z := range zones {
		loc, err := location(z)
		if err != nil {
			return false, zones, fmt.Sprintf("time zone %s of %s is not known to this build; cannot check the local time", z, e164)
		}
		local := at.In(loc)
		h, m, s := local.Clock()
		tod := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second + time.Duration(local.Nanosecond())
		if tod < window.Start || tod > window.End {
			return false, zones, fmt.Sprintf("it is %s in %s, outside the calling window %s-%s", local.Format("15:04"), z, clock(window.Start), clock(window.End))
		}
	}
	return true, zones, ""
}

func parseE164(s string) (num *phonenumbers.PhoneNumber, err error) {
	defer func() {
		if recover() != nil {
			num, err = nil, fmt.Errorf("%q could not be parsed as a phone number", s)
		}
	}()
	if len(s) < 2 || s[0] != '+' {
		return nil, fmt.Errorf("%q is not in E.164 form (+CC…); canonicalise it with CanonicalPhone first", s)
	}
	num, err = phonenumbers.Parse(s, "")
	if err != nil {
		return nil, fmt.Errorf("%q is not a phone number: %v", s, err)
	}
	return num, nil
}

var locations sync.Map // zone name -> *time.Location

func location(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, l)
	return l, nil
}

func clock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60)
}
