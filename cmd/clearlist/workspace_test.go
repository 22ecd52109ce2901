package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestCLIWorkspaceNames: names that could be a path or markup are refused with the rule.
func TestCLIWorkspaceNames(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	const rule = "lower-case letters, digits"
	for _, bad := range []string{"../../etc", "<script>", "Acme", "a b"} {
		e.fails(1, rule, "workspace", "create", bad)
		e.fails(1, rule, "--workspace", bad, "list", "ls")
	}
	e.ok("workspace", "create", "acme")
	e.fails(1, rule, "workspace", "rename", "acme", "../x")
	if r := e.ok("workspace", "ls"); strings.Contains(r.stdout, "etc") || strings.Contains(r.stdout, "script") {
		t.Errorf("a refused name was stored: %q", r.stdout)
	}
}

// TestCLIWorkspaceUnknown: a mistyped --workspace fails, says how to create it and which
// exist, and creates nothing; `default` exists on a fresh database.
func TestCLIWorkspaceUnknown(t *testing.T) {
	t.Parallel()
	for name, db := range map[string]string{"sqlite": "", "postgres": storetest.PostgresDSN(t)} {
		t.Run(name, func(t *testing.T) {
			e := newCLI(t, db)
			e.ok("list", "create", "in-default")
			e.fails(1, "no workspace defualt; create it with `clearlist workspace create defualt` (existing: default)",
				"--workspace", "defualt", "list", "create", "oops")
			r := e.ok("workspace", "ls")
			if hasLine(r.stdout, "defualt", "") || !hasLine(r.stdout, "default", "") {
				t.Fatalf("workspace ls after a mistyped --workspace: %q", r.stdout)
			}
			e.ok("workspace", "create", "client-b")
			e.fails(1, "already exists", "workspace", "create", "client-b")
			e.ok("--workspace", "client-b", "list", "create", "only-b")
			if r := e.ok("--workspace", "client-b", "list", "ls"); !hasLine(r.stdout, "only-b", "") || hasLine(r.stdout, "in-default", "") {
				t.Errorf("list ls in client-b: %q", r.stdout)
			}
			e.ok("workspace", "rename", "client-b", "client-c")
			e.fails(1, "no workspace client-b", "--workspace", "client-b", "list", "ls")
			if r := e.ok("--workspace", "client-c", "list", "ls"); !hasLine(r.stdout, "only-b", "") {
				t.Errorf("renamed workspace lost its list: %q", r.stdout)
			}
		})
	}
}

// TestCLIWorkspaceDelete: delete refuses a workspace that holds something and says what,
// --force deletes it, and its id is never given to a new workspace.
func TestCLIWorkspaceDelete(t *testing.T) {
	t.Parallel()
	for name, db := range map[string]string{"sqlite": "", "postgres": storetest.PostgresDSN(t)} {
		t.Run(name, func(t *testing.T) {
			e := newCLI(t, db)
			e.ok("workspace", "create", "old")
			e.ok("--workspace", "old", "list", "create", "L")
			e.ok("--workspace", "old", "token", "create", "t", "--role", "agent")
			e.ok("--workspace", "old", "suppress", "add", "gone@example.com", "--reason", "request-email")
			e.fails(1, "holds 1 list, 1 do-not-contact entry, 1 API token: add --force", "workspace", "delete", "old")
			oldID := wsID(t, e, "old")
			e.ok("workspace", "delete", "old", "--force")
			e.fails(1, "no workspace old", "--workspace", "old", "list", "ls")
			e.ok("workspace", "create", "new")
			if id := wsID(t, e, "new"); id == oldID {
				t.Fatalf("deleted workspace id %s given to a new workspace", id)
			}
			e.ok("--workspace", "new", "suppress", "check", "gone@example.com") // exit 3 if the old entry showed through
			e.ok("workspace", "create", "empty")
			if r := e.ok("workspace", "delete", "empty"); !strings.Contains(r.stdout, "deleted workspace empty") {
				t.Errorf("delete of an empty workspace: %q", r.stdout)
			}
			// The default workspace is made for a fresh database only: once deleted it stays so.
			e.ok("workspace", "delete", "default")
			e.ok("migrate")
			if r := e.ok("workspace", "ls"); hasLine(r.stdout, "default", "") {
				t.Errorf("default came back: %q", r.stdout)
			}
			e.fails(1, "no workspace default", "list", "ls")
		})
	}
}

func wsID(t *testing.T, e *cliEnv, name string) string {
	t.Helper()
	for _, line := range strings.Split(e.ok("workspace", "ls").stdout, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == name {
			return f[1]
		}
	}
	t.Fatalf("workspace %s not listed", name)
	return ""
}

// TestCLIDatabaseErrors: a DSN of another engine and a missing folder say what to do.
func TestCLIDatabaseErrors(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.db = "mysql://user:secret@db.example/app"
	r := e.fails(1, "mysql databases are not supported", "list", "ls")
	if strings.Contains(r.stderr, "secret") {
		t.Errorf("the password is printed: %q", r.stderr)
	}
	missing := filepath.Join(e.dir, "no-such-folder")
	e.db = filepath.Join(missing, "clearlist.db")
	e.fails(1, "the folder "+missing+" does not exist", "list", "ls")
	if _, err := os.Stat(missing); !os.IsNotExist(err) {
		t.Errorf("the folder was created: %v", err)
	}
	if _, err := os.Stat(filepath.Join(e.dir, "mysql:")); !os.IsNotExist(err) {
		t.Errorf("the mysql URL was taken for a SQLite path: %v", err)
	}
}
