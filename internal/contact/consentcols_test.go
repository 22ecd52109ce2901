package contact

import (
	"strings"
	"testing"
	"time"
)

func TestParseConsentTime(t *testing.T) {
	utc := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, time.UTC) }
	for _, c := range []struct {
		in    string
		want  time.Time
		zoned bool
	}{
		{"2024-03-01T09:30:00Z", utc(2024, 3, 1, 9, 30), true},
		{"2024-03-01T09:30:00+01:00", utc(2024, 3, 1, 8, 30), true},
		{"2024-03-01 09:30:00", utc(2024, 3, 1, 9, 30), false},
		{"2024-03-01 09:30:00 +0100", utc(2024, 3, 1, 8, 30), true},
		{"2024-03-01", utc(2024, 3, 1, 0, 0), false},
		{"03/25/2024", utc(2024, 3, 25, 0, 0), false},
		{"25/03/2024 09:30", utc(2024, 3, 25, 9, 30), false},
		{"25.03.2024 09:30", utc(2024, 3, 25, 9, 30), false},
		{"04/04/2024", utc(2024, 4, 4, 0, 0), false},
	} {
		got, zoned, err := ParseConsentTime(c.in)
		if err != nil || !got.Equal(c.want) || zoned != c.zoned {
			t.Errorf("%q: %v %v %v, want %v %v", c.in, got, zoned, err, c.want, c.zoned)
		}
	}
	for in, want := range map[string]string{"03/04/2024": "ambiguous", "yesterday": "not a time", "2024-13-01": "not a time"} {
		if _, _, err := ParseConsentTime(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
	}
}

func TestNormalizeConsentCells(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	n, err := NewNormalizer(NormalizeOptions{Map: Mapping{"OPTIN_TIME": "consent_at", "Text": "consent_wording"},
		Consent: ConsentOptions{Purpose: "newsletter", Purposes: []string{"newsletter", "surveys"}, Actor: "cli:test",
			Now: func() time.Time { return now }}})
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{"email", "OPTIN_TIME", "Text", "consent_purpose", "consent_prechecked", "consent_confirmed_at"}
	row, errs := n.Normalize(Record{Num: 2, Cols: cols, Values: []string{"a@example.com", "2024-03-01 09:30", "Yes", "newsletter;surveys", "false", "2024-03-01 09:40"}})
	if len(errs) != 0 || len(row.Consents) != 4 || !row.NoZone {
		t.Fatalf("row %+v, errs %v", row, errs)
	}
	if e := row.Consents[1]; e.Purpose != "newsletter" || e.Action != "confirmed" || e.Actor != "cli:test" || e.Evidence.Timestamp.Minute() != 40 {
		t.Errorf("confirmation entry: %+v", e)
	}
	for vals, want := range map[[6]string]string{
		{"a@example.com", "2025-06-01", "Yes", "", "", ""}:                "in the future",
		{"a@example.com", "2024-03-01", "Yes", "", "", "2024-02-01"}:      "earlier than the sign-up",
		{"a@example.com", "2024-03-01", "Yes", "newsletter;nope", "", ""}: `unknown purpose "nope"`,
		{"a@example.com", "", "Yes", "", "", ""}:                          "no consent_at",
		{"a@example.com", "2024-03-01", "Yes", "", "maybe", ""}:           "use true or false",
	} {
		_, errs := n.Normalize(Record{Num: 3, Cols: cols, Values: vals[:]})
		if len(errs) == 0 || !strings.Contains(errs[0].Reason, want) {
			t.Errorf("%v: errs %v, want %q", vals, errs, want)
		}
	}
	// A pre-ticked box is recorded as shown (the policy refuses it as consent, con-12).
	row, errs = n.Normalize(Record{Num: 5, Cols: cols, Values: []string{"p@example.com", "2024-03-01", "Yes", "", "true", ""}})
	if len(errs) != 0 || len(row.Consents) != 1 || !row.Consents[0].Evidence.Prechecked {
		t.Errorf("pre-ticked row: %+v %v", row, errs)
	}
	// A row without consent cells makes no entry, the default purpose notwithstanding.
	row, errs = n.Normalize(Record{Num: 4, Cols: cols, Values: []string{"b@example.com", "", "", "", "", ""}})
	if len(errs) != 0 || row.Consents != nil {
		t.Errorf("row without consent: %+v %v", row, errs)
	}
}
