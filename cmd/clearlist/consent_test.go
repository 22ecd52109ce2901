package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

func TestCLIConsentSQLite(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	testCLIConsent(t, e, func(db *sql.DB) {
		mustExec(t, db, `DROP TRIGGER consents_no_update`)
	})
}

func TestCLIConsentPostgres(t *testing.T) {
	t.Parallel()
	e := newCLI(t, storetest.PostgresDSN(t))
	testCLIConsent(t, e, func(db *sql.DB) {
		mustExec(t, db, `ALTER TABLE consents DISABLE TRIGGER USER`)
	})
}

// testCLIConsent records, shows and verifies consent, then changes a row in the database
// behind clearlist's back (after disable has turned the append-only trigger off) and checks
// that consent verify names it.
func testCLIConsent(t *testing.T, e *cliEnv, disable func(db *sql.DB)) {
	e.ok("import", e.file("contacts.csv", "email\nann@example.org\nbob@example.org\n"), "--source-type", "api")
	if r := e.ok("consent", "purposes"); !hasLine(r.stdout, "newsletter", "marketing") || !hasLine(r.stdout, "security-notices", "service") {
		t.Errorf("consent purposes: %q", r.stdout)
	}
	if r := e.ok("consent", "verify"); r.stdout != "chain intact: 0 entries (head "+strings.Repeat("0", 64)+")\n" {
		t.Errorf("verify of an empty ledger: %q", r.stdout)
	}
	e.ok("consent", "add", "--email", "Ann@Example.org", "--purpose", "newsletter", "--wording", "Yes, send me the newsletter",
		"--ip", "192.0.2.7", "--form-id", "footer", "--at", "2026-03-01T09:30:00Z", "--evidence", "collector=footer form")
	e.ok("consent", "add", "--email", "bob@example.org", "--purpose", "surveys", "--channel", "sms", "--basis", "soft-opt-in")
	e.ok("consent", "add", "--email", "ann@example.org", "--purpose", "newsletter", "--action", "withdrawn")

	e.fails(1, "wording shown", "consent", "add", "--email", "ann@example.org", "--purpose", "newsletter")
	e.fails(1, `unknown purpose "lottery": use one of`, "consent", "add", "--email", "ann@example.org", "--purpose", "lottery", "--wording", "x")
	e.fails(1, "use one of email, phone, sms", "consent", "add", "--email", "ann@example.org", "--purpose", "newsletter", "--channel", "fax", "--wording", "x")
	e.fails(1, "not found (import or create the contact first)", "consent", "add", "--email", "zoe@example.org", "--purpose", "newsletter", "--wording", "x")
	e.fails(1, `evidence key "mood" is unknown: use one of collector, document_ref, form_id, form_version, ip, prechecked, timestamp, user_agent, wording`,
		"consent", "add", "--email", "ann@example.org", "--purpose", "newsletter", "--wording", "x", "--evidence", "mood=good")
	e.fails(1, "belongs to the contact's source", "consent", "add", "--email", "ann@example.org", "--purpose", "newsletter",
		"--wording", "x", "--evidence", "written_permission=yes")
	e.fails(1, "give a time like 2026-03-01T09:30:00Z", "consent", "add", "--email", "ann@example.org", "--purpose", "newsletter",
		"--wording", "x", "--evidence", "timestamp=yesterday")
	e.fails(1, "confirmed entry needs basis double-opt-in", "consent", "add", "--email", "ann@example.org", "--purpose", "newsletter", "--action", "confirmed")

	var show consentShow
	if err := json.Unmarshal([]byte(e.ok("consent", "show", "--email", "ann@example.org", "--json").stdout), &show); err != nil {
		t.Fatal(err)
	}
	if len(show.Entries) != 2 || len(show.States) != 1 || show.States[0].State != "withdrawn" ||
		show.Entries[0].Evidence.IP != "192.0.2.7" || show.Entries[0].Evidence.Collector != "footer form" || show.Entries[0].Evidence.Wording != "Yes, send me the newsletter" {
		t.Fatalf("consent show: %+v", show)
	}
	if r := e.ok("consent", "show", "--email", "ann@example.org"); !hasLine(r.stdout, "newsletter", "email") || !strings.Contains(r.stdout, "withdrawn") {
		t.Errorf("consent show: %q", r.stdout)
	}
	if r := e.ok("consent", "verify"); !strings.HasPrefix(r.stdout, "chain intact: 3 entries") {
		t.Errorf("verify: %q", r.stdout)
	}

	// Tamper with the first entry: pretend Ann agreed to more than she did.
	db, err := sql.Open(map[bool]string{true: "pgx", false: "sqlite"}[strings.HasPrefix(e.db, "postgres")], e.db)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	disable(db)
	first := show.Entries[0]
	mustExec(t, db, `UPDATE consents SET evidence = '{"wording":"Yes, send me everything","ip":"192.0.2.7","form_id":"footer","timestamp":"2026-03-01T09:30:00Z"}' WHERE id = `+itoa(first.ID))
	db.Close()

	e.fails(1, "broken at entry "+itoa(first.ID)+": hash mismatch", "consent", "verify")
	r := e.run("consent", "verify", "--json")
	var res consent.Verification
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 1 || res.Intact || res.Broken == nil ||
		res.Broken.EntryID != first.ID || res.Entries != 1 {
		t.Fatalf("verify --json after tampering: exit %d, %q, %v", r.code, r.stdout, err)
	}
}

func mustExec(t *testing.T, db *sql.DB, query string) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }
