package main

import (
	"os"
	"strings"
	"testing"
)

// formulaLead reports whether a spreadsheet would run a cell as a formula.
func formulaLead(cell string) bool {
	return cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0]))
}

// checkNeutralised fails for any cell a spreadsheet would run (columns in skip excepted),
// and unless every value in want appears neutralised (so the check saw the hostile values).
func checkNeutralised(t *testing.T, what, out string, skip map[int]bool, want ...string) {
	t.Helper()
	cells := map[string]bool{}
	for i, rec := range readCSV(t, out) {
		for j, cell := range rec {
			cells[cell] = true
			if !skip[j] && formulaLead(cell) {
				t.Errorf("%s: row %d column %d is a formula: %q\n%s", what, i+1, j+1, cell, out)
			}
		}
	}
	for _, w := range want {
		if !cells["'"+w] {
			t.Errorf("%s: %q is not in the output neutralised as %q:\n%s", what, w, "'"+w, out)
		}
	}
}

// TestCLICSVExportsNeutraliseFormulas: every CSV the CLI writes from stored data — the
// contacts export, the do-not-contact export, a call list and an import's error report —
// prefixes a cell a spreadsheet would run as a formula with a quote.
func TestCLICSVExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("attribute", "add", "first_name", "--purpose", "greeting")
	e.ok("list", "create", "calls")
	path := e.file("hostile.csv", "email,phone,first_name\n"+
		"=cmd@example.org,+1 212 555 0101,\"=HYPERLINK(\"\"http://evil.example\"\")\"\n"+
		"-ann@example.org,,@SUM(1+1)\n"+
		"=1+2,,Bad\n")
	sum := e.importJSON(path, "--list", "calls", "--source-type", "web-form-double-opt-in")
	if sum.Inserted != 2 || sum.Failed != 1 {
		t.Fatalf("import summary %+v", sum)
	}

	checkNeutralised(t, "export", e.ok("export").stdout, nil,
		"=cmd@example.org", "-ann@example.org", `=HYPERLINK("http://evil.example")`, "@SUM(1+1)")

	report, err := os.ReadFile(sum.ReportPath)
	if err != nil {
		t.Fatal(err)
	}
	checkNeutralised(t, "error report", string(report), nil, "=1+2")

	// The phone column holds E.164 numbers only ("+" and digits), which dialers read as is.
	calls := e.ok("calllist", "--list", "calls", "--at", "2026-11-25T12:00:00-05:00").stdout
	checkNeutralised(t, "call list", calls, map[int]bool{2: true}, "=cmd@example.org")

	e.ok("suppress", "add", "+sales@example.org", "--reason", "manual", "--by", "=by")
	e.ok("suppress", "add", "--reason", "manual", "--", "-x@example.org")
	e.ok("suppress", "remove", "2", "--why", "=HYPERLINK(1)")
	checkNeutralised(t, "suppress export", e.ok("suppress", "export", "--removed").stdout, nil,
		"+sales@example.org", "=by", "-x@example.org", "=HYPERLINK(1)")
}
