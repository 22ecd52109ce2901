package main

import (
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/verify/verifytest"
)

// TestCLIVerify: offline checks with diagnoses and suggestions, import --verify against a
// local DNS server, and the verdict reaching `check`.
func TestCLIVerify(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.env = append(e.env, "CLEARLIST_DNS_SERVER="+verifytest.Zone(t))
	out := e.ok("verify", "--offline", "ann@gmial.com", "bad@@example.com", "info@example.com").stdout
	for _, want := range []string{"did you mean ann@gmail.com?", "undeliverable bad@@example.com  (syntax)", "risky         info@example.com  (role)"} {
		if !strings.Contains(out, want) {
			t.Errorf("verify --offline: no %q in\n%s", want, out)
		}
	}
	e.fails(1, "give addresses, or one of", "verify")
	e.fails(1, "verify.probe", "verify", "--probe", "ann@mail.test")
	e.file("people.csv", "email\nann@mail.test\nbob@nullmx.test\ncy@gone.test\n")
	r := e.ok("import", "--list", "people", "--source-type", "web-form-double-opt-in", "--verify", "people.csv")
	if !strings.Contains(r.stderr, "verified 3 addresses") || !strings.Contains(r.stderr, "2 undeliverable") {
		t.Fatalf("import --verify:\n%s", r.stderr)
	}
	e.ok("consent", "add", "--email", "bob@nullmx.test", "--purpose", "newsletter", "--action", "granted", "--wording", "Yes please")
	if r := e.run("check", "--email", "bob@nullmx.test", "--purpose", "newsletter"); r.code != exitRefused || !strings.Contains(r.stdout, "vfy-01") {
		t.Fatalf("check of an undeliverable address: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Checked moments ago: nothing is due; with --days 0 all three are checked again.
	if out := e.ok("verify", "--list", "people").stdout; out != "" {
		t.Fatalf("nothing should be due:\n%s", out)
	}
	if r := e.ok("verify", "--list", "people", "--days", "0"); !strings.Contains(r.stderr, "3 checked: 1 deliverable, 0 risky, 2 undeliverable, 0 unknown") {
		t.Fatalf("re-verification:\n%s\n%s", r.stdout, r.stderr)
	}
}
