package formats

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// itoa writes n in decimal.
func itoa(n int) string { return strconv.Itoa(n) }

// trimSpace trims white space, including the no-break space spreadsheets leave.
func trimSpace(s string) string { return strings.Trim(s, " \t\r\n\u00a0\ufeff") }

// zoneless are the layouts without a zone the senders write (Mailchimp:
// "2023-01-31 12:34:56"), read as UTC.
var zoneless = []string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
}

// zoned are the layouts with a zone: RFC 3339 and Go's time.Time.String (listmonk's
// export: "2023-01-31 12:34:56.789 +0000 UTC").
var zoned = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05.999999999 -0700 MST",
	"2006-01-02 15:04:05.999999999 -0700",
	"2006-01-02 15:04:05.999999999-07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
}

// parseTime reads a sender's time. ok is false for a value that is not a time; zero
// reports an empty or zero time ("0000-00-00 00:00:00", Go's zero time), which means
// "not known"; assumed reports a time without a zone, read as UTC.
func parseTime(s string) (t time.Time, zero, assumed, ok bool) {
	s = trimSpace(s)
	if i := strings.Index(s, " m="); i > 0 { // a monotonic clock reading from time.Time.String
		s = s[:i]
	}
	if s == "" || strings.HasPrefix(s, "0000-00-00") || strings.HasPrefix(s, "0001-01-01 00:00:00") {
		return time.Time{}, true, false, true
	}
	for _, l := range zoned {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), false, false, plausible(t)
		}
	}
	for _, l := range zoneless {
		if t, err := time.Parse(l, s); err == nil {
			return t, false, true, plausible(t)
		}
	}
	return time.Time{}, false, false, false
}

// plausible reports whether t lies in the years a sender's record can come from (1970 to
// 9999 in UTC); whether it lies in the future is for the import to judge.
func plausible(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 1970 && y <= 9999
}

// formatTime writes a time as the import reads it: RFC 3339 in UTC.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// timeHelp is the end of the message for a value that is not a time.
const timeHelp = "is not a time from 1970 on: use the sender's form 2023-01-31 12:34:56 (read as UTC) or RFC 3339 (2023-01-31T12:34:56Z)"

// parseIP reads an IP address; "" is not known. ok is false for a value that is not one.
func parseIP(s string) (ip string, ok bool) {
	s = strings.TrimSuffix(strings.TrimPrefix(trimSpace(s), "["), "]")
	if s == "" {
		return "", true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return "", false
	}
	return a.Unmap().WithZone("").String(), true
}

// countryCode returns cc upper-cased when it is two ASCII letters, else "".
func countryCode(cc string) string {
	cc = trimSpace(cc)
	if len(cc) != 2 {
		return ""
	}
	for i := 0; i < 2; i++ {
		c := cc[i] | 0x20
		if c < 'a' || c > 'z' {
			return ""
		}
	}
	return strings.ToUpper(cc)
}
