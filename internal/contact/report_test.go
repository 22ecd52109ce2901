package contact

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNeutralizeCell(t *testing.T) {
	tests := map[string]string{
		"":                  "",
		"plain":             "plain",
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1":                "'+1",
		"-1":                "'-1",
		"@SUM(A1)":          "'@SUM(A1)",
		"\tx":               "'\tx",
		"\rx":               "'\rx",
		"a=b":               "a=b",
	}
	for in, want := range tests {
		if got := NeutralizeCell(in); got != want {
			t.Errorf("NeutralizeCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTruncateValue(t *testing.T) {
	long := strings.Repeat("ü", 150) // 300 bytes
	got := truncateValue(long)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || len(got) > 200+len("…") {
		t.Errorf("truncateValue(300 bytes) = %d bytes %q", len(got), got)
	}
	if got := truncateValue("a\xffb"); got != "a\uFFFDb" {
		t.Errorf("truncateValue(invalid) = %q", got)
	}
	if got := truncateValue(strings.Repeat("x", 10<<20)); len(got) != 200+len("…") {
		t.Errorf("truncateValue(10 MB) = %d bytes", len(got))
	}
}

func TestReportWriter(t *testing.T) {
	var buf bytes.Buffer
	w := NewReportWriter(&buf)
	errs := []RowError{
		*newRowError(2, "email", "=cmd|' /C calc'!A0", "invalid e-mail address: there is no @"),
		*newRowError(7, "", "", "the row has 2 fields but the header has 3"),
		{Row: 9, Column: "notes", Value: strings.Repeat("x", 1000), Reason: "too long"},
	}
	for _, e := range errs {
		if err := w.Write(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if w.Count() != 3 {
		t.Errorf("Count() = %d, want 3", w.Count())
	}
	want := "row,column,value,reason\n" +
		"2,email,'=cmd|' /C calc'!A0,invalid e-mail address: there is no @\n" +
		"7,,,the row has 2 fields but the header has 3\n" +
		"9,notes," + strings.Repeat("x", 200) + "…,too long\n"
	if buf.String() != want {
		t.Errorf("report =\n%s\nwant\n%s", buf.String(), want)
	}

	var empty bytes.Buffer
	if err := NewReportWriter(&empty).Flush(); err != nil || empty.String() != "row,column,value,reason\n" {
		t.Errorf("empty report = %q, %v", empty.String(), err)
	}
}

func TestRowErrorError(t *testing.T) {
	e := newRowError(3, "email", "x", "bad")
	if got := e.Error(); got != `row 3, column "email": bad` {
		t.Errorf("Error() = %q", got)
	}
}
