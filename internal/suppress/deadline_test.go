package suppress

import (
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func TestDeadlines(t *testing.T) {
	ny, tor, ber := mustLoc(t, "America/New_York"), mustLoc(t, "America/Toronto"), mustLoc(t, "Europe/Berlin")
	at := func(loc *time.Location, y int, m time.Month, d, h, min int) time.Time {
		return time.Date(y, m, d, h, min, 0, 0, loc)
	}
	bulk, err := DefaultRules().WithSettings(Settings{BulkSender: true})
	must(t, err)
	cases := []struct {
		name         string
		rules        *Rules
		received     time.Time
		channel, jur string
		want         time.Time
		rule         RuleID
	}{
		{"CAN-SPAM, Friday evening, Thanksgiving week next", nil, at(ny, 2026, 11, 20, 19, 0), "email", "US", at(ny, 2026, 12, 8, 0, 0), "dl-us-email"},
		{"CAN-SPAM, the day before Thanksgiving", nil, at(ny, 2026, 11, 25, 9, 0), "email", "US", at(ny, 2026, 12, 11, 0, 0), "dl-us-email"},
		{"CAN-SPAM, before Independence Day observed on Friday 3 July", nil, at(ny, 2026, 7, 2, 10, 0), "email", "us", at(ny, 2026, 7, 18, 0, 0), "dl-us-email"},
		{"CAN-SPAM, over Christmas and New Year", nil, at(ny, 2026, 12, 23, 12, 0), "email", "US", at(ny, 2027, 1, 9, 0, 0), "dl-us-email"},
		{"CAN-SPAM, New Year's Day 2022 observed on 31 December 2021", nil, at(ny, 2021, 12, 29, 12, 0), "email", "US", at(ny, 2022, 1, 14, 0, 0), "dl-us-email"},
		{"CAN-SPAM, received on a Saturday", nil, at(ny, 2026, 11, 21, 12, 0), "email", "US", at(ny, 2026, 12, 8, 0, 0), "dl-us-email"},
		{"California is under CAN-SPAM", nil, at(ny, 2026, 11, 20, 19, 0), "email", "US-CA", at(ny, 2026, 12, 8, 0, 0), "dl-us-email"},
		{"TCPA internal do-not-call", nil, at(ny, 2026, 11, 20, 19, 0), "phone", "US", at(ny, 2026, 12, 8, 0, 0), "dl-us-phone"},
		{"TCPA texts", nil, at(ny, 2026, 11, 20, 19, 0), "sms", "US", at(ny, 2026, 12, 8, 0, 0), "dl-us-sms"},
		{"CASL around Canada Day", nil, at(tor, 2026, 6, 26, 17, 0), "email", "CA", at(tor, 2026, 7, 14, 0, 0), "dl-ca-cem"},
		{"CASL counts Truth and Reconciliation and Canadian Thanksgiving", nil, at(tor, 2026, 9, 29, 10, 0), "email", "CA", at(tor, 2026, 10, 16, 0, 0), "dl-ca-cem"},
		{"the US calendar does not", nil, at(tor, 2026, 9, 29, 10, 0), "email", "US", at(tor, 2026, 10, 15, 0, 0), "dl-us-email"},
		{"CASL, Christmas 2027 observed Monday 27, Boxing Day Tuesday 28, New Year Monday 3 January", nil, at(tor, 2027, 12, 23, 10, 0), "sms", "CA", at(tor, 2028, 1, 12, 0, 0), "dl-ca-cem"},
		{"Canada, calls", nil, at(tor, 2026, 6, 26, 17, 0), "phone", "CA", at(tor, 2026, 7, 10, 17, 0), "dl-ca-phone"},
		{"GDPR objection", nil, at(ber, 2026, 11, 20, 19, 0), "email", "DE", at(ber, 2026, 11, 22, 19, 0), "dl-eu-objection"},
		{"UK", nil, at(ber, 2026, 11, 20, 19, 0), "phone", "GB", at(ber, 2026, 11, 22, 19, 0), "dl-eu-objection"},
		{"unknown jurisdiction: the strictest", nil, at(ny, 2026, 11, 20, 19, 0), "email", "", at(ny, 2026, 11, 22, 19, 0), "dl-eu-objection"},
		{"uncovered jurisdiction: the strictest", nil, at(ny, 2026, 11, 20, 19, 0), "phone", "JP", at(ny, 2026, 11, 22, 19, 0), "dl-eu-objection"},
		{"every channel in the US", nil, at(ny, 2026, 11, 20, 19, 0), "", "US", at(ny, 2026, 12, 8, 0, 0), "dl-us-email"},
		{"every channel in Canada: the 10 business days end first", nil, at(tor, 2026, 6, 26, 17, 0), "", "CA", at(tor, 2026, 7, 10, 17, 0), "dl-ca-phone"},
		{"bulk sender, US e-mail", bulk, at(ny, 2026, 11, 20, 19, 0), "email", "US", at(ny, 2026, 11, 22, 19, 0), "dl-bulk-sender"},
		{"bulk sender does not touch calls", bulk, at(ny, 2026, 11, 20, 19, 0), "phone", "US", at(ny, 2026, 12, 8, 0, 0), "dl-us-phone"},
	}
	for _, c := range cases {
		r := c.rules
		if r == nil {
			r = DefaultRules()
		}
		got, rule := r.Deadline(c.received, c.channel, c.jur)
		if !got.Equal(c.want) || rule != c.rule {
			t.Errorf("%s: Deadline(%s, %q, %q) = %s, %s; want %s, %s", c.name, c.received.Format(time.RFC1123), c.channel, c.jur,
				got.Format(time.RFC1123), rule, c.want.Format(time.RFC1123), c.rule)
		}
	}
}

// TestDeadlineAcrossDST: the deadline is local midnight even when the clocks
// change in between.
func TestDeadlineAcrossDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	got, _ := DefaultRules().Deadline(time.Date(2026, 10, 30, 12, 0, 0, 0, ny), "email", "US")
	// 2-16 November less Veterans Day (11th) and the weekends; EDT ends on the 1st.
	if want := time.Date(2026, 11, 17, 0, 0, 0, 0, ny); !got.Equal(want) || got.In(ny).Hour() != 0 {
		t.Errorf("got %s, want %s", got.In(ny), want)
	}
}

func TestWorkspaceOnlyShortens(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	received := time.Date(2026, 11, 20, 19, 0, 0, 0, ny)
	legal, _ := DefaultRules().Deadline(received, "email", "US")

	short, err := DefaultRules().WithSettings(Settings{Limit: 24 * time.Hour})
	must(t, err)
	if got, rule := short.Deadline(received, "email", "US"); !got.Equal(received.Add(24*time.Hour)) || rule != RuleWorkspace {
		t.Errorf("24h limit: %s, %s", got, rule)
	}
	long, err := DefaultRules().WithSettings(Settings{Limit: 60 * 24 * time.Hour})
	must(t, err)
	if got, rule := long.Deadline(received, "email", "US"); !got.Equal(legal) || rule != "dl-us-email" {
		t.Errorf("a 60-day limit lengthened the deadline: %s, %s", got, rule)
	}
	if _, err := DefaultRules().WithSettings(Settings{Limit: -time.Hour}); err == nil {
		t.Error("a negative limit was accepted")
	}
	// WithSettings returns a copy: the default rules are untouched.
	if _, rule := DefaultRules().Deadline(received, "email", "US"); rule != "dl-us-email" {
		t.Errorf("WithSettings changed the default rules: %s", rule)
	}
}

func TestLateAndOverdue(t *testing.T) {
	dl := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	e := Entry{Deadline: dl}
	if Late(e) || Overdue(e, dl) || !Overdue(e, dl.Add(time.Second)) {
		t.Error("pending entry: wrong Late/Overdue")
	}
	for _, c := range []struct {
		recorded time.Time
		late     bool
	}{{dl.Add(-time.Hour), false}, {dl, false}, {dl.Add(time.Nanosecond), true}, {dl.Add(72 * time.Hour), true}} {
		e.RecordedAt = c.recorded
		if Late(e) != c.late || Overdue(e, dl.Add(time.Hour)) {
			t.Errorf("recorded %s: Late = %v, want %v", c.recorded, Late(e), c.late)
		}
	}
}

func TestDefaultRules(t *testing.T) {
	r, err := ParseRules(defaultRulesJSON)
	must(t, err)
	if r.Version == "" || len(r.Rules()) < 7 {
		t.Fatalf("default rules: version %q, %d rules", r.Version, len(r.Rules()))
	}
	for _, x := range r.Rules() {
		if x.Citation == "" || x.Text == "" {
			t.Errorf("rule %s has no citation or text", x.ID)
		}
	}
	if x, ok := r.Rule("dl-us-phone"); !ok || x.BusinessDays != 10 || x.Calendar != CalendarUS {
		t.Errorf("dl-us-phone = %+v", x)
	}
	for _, bad := range []string{
		`{"rules":[{"id":"x","channels":["email"],"jurisdictions":["US"],"hours":1,"business_days":1,"citation":"c","text":"t"}]}`,
		`{"rules":[{"id":"x","channels":["fax"],"jurisdictions":["US"],"hours":1,"citation":"c","text":"t"}]}`,
		`{"rules":[{"id":"x","channels":["email"],"jurisdictions":["US"],"hours":1,"text":"t"}]}`,
		`{"rules":[{"id":"x","channels":["email"],"jurisdictions":["US"],"hours":1,"citation":"c","text":"t","when":"full-moon"}]}`,
		`{"rules":[{"id":"x","channels":["email"],"jurisdictions":["US"],"hours":1,"citation":"c","text":"t"},{"id":"x","channels":["sms"],"jurisdictions":["US"],"hours":1,"citation":"c","text":"t"}]}`,
		`{"rules":`,
	} {
		if _, err := ParseRules([]byte(bad)); err == nil {
			t.Errorf("ParseRules accepted %s", bad)
		}
	}
}

func TestHolidays(t *testing.T) {
	names := func(cal string, y int) map[string]string {
		m := map[string]string{}
		for _, h := range Holidays(cal, y) {
			m[h.Date.Format("2006-01-02")] = h.Name
		}
		return m
	}
	us2026 := names(CalendarUS, 2026)
	for _, d := range []string{"2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19", "2026-07-03", "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25"} {
		if us2026[d] == "" {
			t.Errorf("US 2026: %s is not a holiday", d)
		}
	}
	if len(us2026) != 11 {
		t.Errorf("US 2026 has %d holidays, want 11", len(us2026))
	}
	if names(CalendarUS, 2022)["2021-12-31"] != "New Year's Day" {
		t.Error("New Year's Day 2022 is not observed on Friday 31 December 2021")
	}
	if n := len(names(CalendarUS, 2020)); n != 10 {
		t.Errorf("US 2020 has %d holidays; Juneteenth starts in 2021", n)
	}
	ca2027 := names(CalendarCA, 2027)
	for d, name := range map[string]string{"2027-03-26": "Good Friday", "2027-05-24": "Victoria Day", "2027-07-01": "Canada Day", "2027-09-30": "National Day for Truth and Reconciliation",
		"2027-10-11": "Thanksgiving Day", "2027-11-11": "Remembrance Day", "2027-12-27": "Christmas Day", "2027-12-28": "Boxing Day"} {
		if ca2027[d] != name {
			t.Errorf("CA 2027: %s is %q, want %s", d, ca2027[d], name)
		}
	}
	if ca := names(CalendarCA, 2028); ca["2028-07-03"] != "Canada Day" || ca["2028-01-03"] != "New Year's Day" {
		t.Errorf("CA 2028: weekend holidays not moved to Monday: %v", ca)
	}
	for y, want := range map[int]string{2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2038: "2038-04-25"} {
		if got := easter(y).Format("2006-01-02"); got != want {
			t.Errorf("easter(%d) = %s, want %s", y, got, want)
		}
	}
	if BusinessDay(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), CalendarUS) || !BusinessDay(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), "") {
		t.Error("Thanksgiving: wrong BusinessDay")
	}
}
