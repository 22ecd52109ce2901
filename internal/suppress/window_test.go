package suppress

import (
	"strings"
	"testing"
	"time"
)

func TestCallableAt(t *testing.T) {
	utc := func(mo time.Month, d, h, m int) time.Time { return time.Date(2026, mo, d, h, m, 0, 0, time.UTC) }
	cases := []struct {
		name   string
		number string
		at     time.Time
		ok     bool
		zones  string
		reason string
	}{
		{"New York 08:00, the first allowed minute", "+12125550123", utc(11, 20, 13, 0), true, "America/New_York", ""},
		{"New York 07:59", "+12125550123", utc(11, 20, 12, 59), false, "America/New_York", "it is 07:59 in America/New_York"},
		{"San Francisco 20:30", "+14155550123", utc(11, 21, 4, 30), true, "America/Los_Angeles", ""},
		{"San Francisco 21:00, the last allowed minute", "+14155550123", utc(11, 21, 5, 0), true, "America/Los_Angeles", ""},
		{"San Francisco 21:01", "+14155550123", utc(11, 21, 5, 1), false, "America/Los_Angeles", "21:01"},
		{"London 08:30 summer time", "+442079460123", utc(7, 1, 7, 30), true, "Europe/London", ""},
		{"London 07:59 summer time", "+442079460123", utc(7, 1, 6, 59), false, "Europe/London", "07:59"},
		{"Idaho 208: Boise 08:30 but Los Angeles 07:30", "+12085550123", utc(11, 20, 15, 30), false, "America/Boise America/Los_Angeles", "07:30 in America/Los_Angeles"},
		{"Idaho 208: 09:00 and 08:00", "+12085550123", utc(11, 20, 16, 0), true, "America/Boise America/Los_Angeles", ""},
		{"Idaho 208: Boise 21:30", "+12085550123", utc(11, 21, 4, 30), false, "America/Boise America/Los_Angeles", "21:30 in America/Boise"},
		{"not E.164", "4155550123", utc(11, 20, 18, 0), false, "", "E.164"},
		{"garbage", "+", utc(11, 20, 18, 0), false, "", "not"},
	}
	for _, c := range cases {
		ok, zones, reason := CallableAt(c.number, c.at, DefaultWindow)
		if ok != c.ok || strings.Join(zones, " ") != c.zones || !strings.Contains(reason, c.reason) || ok != (reason == "") {
			t.Errorf("%s: CallableAt(%s, %s) = %v, %v, %q; want %v, %s, %q", c.name, c.number, c.at, ok, zones, reason, c.ok, c.zones, c.reason)
		}
	}
	// A toll-free number may ring anywhere from Guam (UTC+10) to
	// Newfoundland (UTC-3:30): callable only when it is 08:00-21:00 in all.
	if ok, zones, reason := CallableAt("+18005550123", utc(11, 20, 14, 0), DefaultWindow); ok || len(zones) < 10 || !strings.Contains(reason, "04:00 in America/Adak") {
		t.Errorf("toll-free at 14:00 UTC: %v in %d zones, %q", ok, len(zones), reason)
	}
	if ok, _, reason := CallableAt("+18005550123", utc(11, 21, 0, 0), DefaultWindow); !ok {
		t.Errorf("toll-free at 00:00 UTC (Newfoundland 20:30, Guam 10:00): %q", reason)
	}
	if ok, _, reason := CallableAt("+80012345678", utc(11, 20, 18, 0), DefaultWindow); ok || !strings.Contains(reason, "unknown") {
		t.Errorf("international freephone: %v, %q", ok, reason)
	}
	if ok, _, reason := CallableAt("+12125550123", utc(11, 20, 18, 0), Window{Start: 21 * time.Hour, End: 8 * time.Hour}); ok || !strings.Contains(reason, "21:00-08:00") {
		t.Errorf("inverted window: %v, %q", ok, reason)
	}
	narrow := Window{Start: 9 * time.Hour, End: 20 * time.Hour}
	if ok, _, _ := CallableAt("+12125550123", utc(11, 20, 13, 30), narrow); ok {
		t.Error("a state's narrower window (09:00-20:00) is not applied")
	}
}
