package main

import (
	"strings"
	"testing"
)

// TestCLICallListRegistryStaleness: calllist warns when the newest registry download is more
// than 31 days older than --at, and stops warning once a fresh download (of the same
// numbers) is imported.
func TestCLICallListRegistryStaleness(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("list", "create", "calls")
	e.file("people.csv", "email,phone\nbob@example.com,+1 415 555 0199\n")
	e.ok("import", "--list", "calls", "--source-type", "web-form-double-opt-in", "people.csv")
	reg := e.file("registry.txt", "2125550100\n2125550101\n")
	e.ok("suppress", "import", "--registry", "--fetched", "2026-01-01", reg)

	const warning = "more than 31 days old"
	for _, c := range []struct {
		at    string
		stale bool
	}{
		{"2026-01-20T12:00:00-08:00", false},
		{"2026-01-31T15:00:00-08:00", false}, // an hour short of 31 days after the download (UTC midnight)
		{"2026-02-15T12:00:00-08:00", true},
	} {
		r := e.ok("calllist", "--list", "calls", "--at", c.at, "--json")
		if strings.Contains(r.stderr, warning) != c.stale || strings.Contains(r.stderr, `"stale_registry":true`) != c.stale {
			t.Errorf("calllist --at %s: stale want %v\n%s", c.at, c.stale, r.stderr)
		}
		if !strings.Contains(r.stdout, "+14155550199") {
			t.Errorf("calllist --at %s: the number is missing\n%s", c.at, r.stdout)
		}
	}
	e.ok("suppress", "import", "--registry", "--fetched", "2026-02-10", reg)
	if r := e.ok("calllist", "--list", "calls", "--at", "2026-02-15T12:00:00-08:00"); strings.Contains(r.stderr, warning) {
		t.Errorf("still stale after a fresh download of the same numbers:\n%s", r.stderr)
	}
}
