package main

import (
	"database/sql"
	"encoding/json"
	"os/user"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

func TestCLIAuditSQLite(t *testing.T) {
	t.Parallel()
	testCLIAudit(t, newCLI(t, ""), `DROP TRIGGER audit_entries_no_update`)
}

func TestCLIAuditPostgres(t *testing.T) {
	t.Parallel()
	testCLIAudit(t, newCLI(t, storetest.PostgresDSN(t)), `ALTER TABLE audit_entries DISABLE TRIGGER USER`)
}

// testCLIAudit: CLI changes are recorded with the OS user and the command as the actor,
// audit ls shows them, and audit verify names an entry changed behind clearlist's back.
func testCLIAudit(t *testing.T, e *cliEnv, disable string) {
	e.ok("list", "create", "news")
	e.ok("token", "create", "crm", "--role", "marketer")
	e.ok("setting", "set", "verify.exclude_risky", "true")
	if r := e.ok("audit", "verify"); !strings.HasPrefix(r.stdout, "audit trail intact: 4 entries") {
		t.Errorf("audit verify: %q", r.stdout) // workspace.create by the system, then the three commands
	}
	var es []audit.Entry
	for _, line := range strings.Split(strings.TrimSpace(e.ok("audit", "ls", "--json").stdout), "\n") {
		var en audit.Entry
		if err := json.Unmarshal([]byte(line), &en); err != nil {
			t.Fatalf("audit ls --json line %q: %v", line, err)
		}
		es = append(es, en)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 4 || es[3].Action != "workspace.create" || es[3].Actor.Kind != audit.System {
		t.Fatalf("audit ls: %+v", es)
	}
	for i, want := range []string{"setting.set", "token.create", "list.create"} {
		a := es[i].Actor
		if es[i].Action != want || a.Kind != audit.CLI || a.ID != u.Username || !strings.HasPrefix(a.Name, "clearlist ") || a.RequestID == "" {
			t.Errorf("entry %d = %s by %+v; want %s by the CLI user %s", i, es[i].Action, a, want, u.Username)
		}
	}
	if r := e.ok("audit", "ls", "--entity", "token"); !strings.Contains(r.stdout, "token.create") || strings.Contains(r.stdout, "list.create") {
		t.Errorf("audit ls --entity token: %q", r.stdout)
	}
	e.fails(1, "give a number from 1 to 1000", "audit", "ls", "--limit", "5000")
	e.fails(1, "keeps its audit trail for ever", "audit", "prune")
	e.fails(1, "number of days", "setting", "set", "audit.retention_days", "soon")
	if r := e.ok("audit", "prune", "--days", "30"); !strings.Contains(r.stdout, "no audit entries older than 30 days") {
		t.Errorf("audit prune with nothing old: %q", r.stdout)
	}

	db, err := sql.Open(map[bool]string{true: "pgx", false: "sqlite"}[strings.HasPrefix(e.db, "postgres")], e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	mustExec(t, db, disable)
	mustExec(t, db, `UPDATE audit_entries SET actor_id = 'someone-else' WHERE id = `+itoa(es[1].ID))
	db.Close()
	e.fails(1, "audit trail broken at entry "+itoa(es[1].ID)+" (seq 3): hash mismatch", "audit", "verify")
}
