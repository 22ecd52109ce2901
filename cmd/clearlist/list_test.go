package main

import (
	"strings"
	"testing"
)

// listPublic reports the PUBLIC column of a list in `list ls`.
func listPublic(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[0] == name {
			return f[2]
		}
	}
	return ""
}

// TestCLIListPublic (finding 9): lists are private unless created --public or opened with
// `list public NAME on`; `list ls` shows which.
func TestCLIListPublic(t *testing.T) {
	e := newCLI(t, "")
	if r := e.ok("list", "create", "closed"); !strings.Contains(r.stderr, "created list closed") || !strings.Contains(r.stderr, "private") {
		t.Fatalf("list create says: %q", r.stderr)
	}
	if r := e.ok("list", "create", "open", "--public"); !strings.Contains(r.stderr, "/subscribe/default") {
		t.Fatalf("list create --public says: %q", r.stderr)
	}
	r := e.ok("list", "ls")
	if listPublic(r.stdout, "closed") != "no" || listPublic(r.stdout, "open") != "yes" {
		t.Fatalf("list ls:\n%s", r.stdout)
	}
	if r := e.ok("list", "public", "closed", "on"); !strings.Contains(r.stderr, "anyone may sign up") {
		t.Fatalf("list public on says: %q", r.stderr)
	}
	e.ok("list", "public", "open", "off")
	r = e.ok("list", "ls")
	if listPublic(r.stdout, "closed") != "yes" || listPublic(r.stdout, "open") != "no" {
		t.Fatalf("after switching:\n%s", r.stdout)
	}
	e.fails(1, `list "nope"`, "list", "public", "nope", "on")
	e.fails(80, "", "list", "public", "closed", "maybe")
}
