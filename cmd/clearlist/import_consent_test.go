package main

import (
	"os"
	"strings"
	"testing"
)

// TestCLIImportConsentColumns: an export with its sign-up proof, mapped with --map and given a
// purpose with --consent-purpose, imports into ledger entries that `check` accepts as the
// written permission business cards need, with a chain `consent verify` finds intact.
func TestCLIImportConsentColumns(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	f := e.file("cards.csv", "email,Signed,Text,Binder,consent_ip\n"+
		"ann@example.org,2024-03-01 10:00,\"Yes, send me the newsletter\",binder 4,203.0.113.5\n"+
		"bad@example.org,2024-03-01,\"Yes\",binder 4,not-an-ip\n")
	r := e.ok("import", f, "--source-type", "business-cards", "--consent-purpose", "newsletter",
		"--map", "Signed=consent_at", "--map", "Text=consent_wording", "--map", "Binder=consent_document")
	if !strings.Contains(r.stdout, "consent entries:    1") || !strings.Contains(r.stdout, "taken as UTC") ||
		!strings.Contains(r.stdout, "1 rejected") {
		t.Errorf("summary: %s", r.stdout)
	}
	if report, err := os.ReadFile(f + ".errors.csv"); err != nil || !strings.Contains(string(report), "is not an IP address") {
		t.Errorf("report %q %v", report, err)
	}
	e.ok("check", "--email", "ann@example.org", "--purpose", "newsletter")
	if r := e.ok("consent", "verify"); !strings.HasPrefix(r.stdout, "chain intact: 1 entries") {
		t.Errorf("verify: %s", r.stdout)
	}
	e.fails(1, "double_opt_in", "import", f, "--source-type", "business-cards", "--evidence", "double-opt-in=yes")
}
