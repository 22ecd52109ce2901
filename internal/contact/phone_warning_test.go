package contact

import (
	"strings"
	"testing"
)

// TestNormalizePhoneWarning: a phone number that cannot be read (here a national number
// without a default region) does not cost a row with a good e-mail address its contact; the
// number is left out and reported as a warning. With another bad cell the row is rejected and
// the number is one of its errors.
func TestNormalizePhoneWarning(t *testing.T) {
	n, err := NewNormalizer(NormalizeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{"email", "phone"}
	row, errs := n.Normalize(Record{Num: 4, Cols: cols, Values: []string{"ann@example.org", "020 7946 0958"}})
	if len(errs) != 0 {
		t.Fatalf("errors %v: the row must be kept", errs)
	}
	if row.EmailCanonical != "ann@example.org" || row.Phone != "" {
		t.Fatalf("row = %+v, want the address without a phone", row)
	}
	if len(row.Warnings) != 1 || row.Warnings[0].Row != 4 || row.Warnings[0].Column != "phone" ||
		!strings.HasPrefix(row.Warnings[0].Reason, WarningPrefix) || !strings.Contains(row.Warnings[0].Reason, "default-region") {
		t.Fatalf("warnings = %+v, want one phone warning saying how to fix it", row.Warnings)
	}

	_, errs = n.Normalize(Record{Num: 5, Cols: cols, Values: []string{"not-an-address", "020 7946 0958"}})
	if len(errs) != 2 || errs[1].Column != "phone" || strings.HasPrefix(errs[1].Reason, WarningPrefix) {
		t.Fatalf("errors = %+v, want the address and the phone as errors of a rejected row", errs)
	}
}
