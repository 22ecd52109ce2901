package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// genConsentCSV is n rows with consent columns: each row a sign-up and its double opt-in
// confirmation, two ledger entries.
func genConsentCSV(n int) []byte {
	var b bytes.Buffer
	b.WriteString("email,consent_purpose,consent_at,consent_ip,consent_wording,consent_confirmed_at,consent_confirmed_ip\n")
	for i := range n {
		fmt.Fprintf(&b, "User%d@Example.COM,newsletter,2024-03-01T09:30:00Z,203.0.113.%d,\"Yes, send me the newsletter\",2024-03-01T09:45:00Z,203.0.113.%d\n",
			i, i%250+1, i%250+1)
	}
	return b.Bytes()
}

// ledgerCounts is what the database holds: contacts, ledger entries, contacts whose entry
// count is not perContact, and entries whose contact does not exist.
type ledgerCounts struct {
	Contacts, Entries, Uneven, Orphans int64
}

func countLedger(t *testing.T, a *App, perContact int) ledgerCounts {
	t.Helper()
	db := a.st.DB()
	var c ledgerCounts
	// Contacts first: a COMMIT landing meanwhile can then only add entries whose contacts
	// were not read, which the later counts would show as uneven, not hide.
	for _, q := range []struct {
		dst *int64
		sql string
	}{
		{&c.Contacts, `SELECT count(*) FROM contacts`},
		{&c.Uneven, fmt.Sprintf(`SELECT count(*) FROM contacts c LEFT JOIN (SELECT contact_id, count(*) AS n FROM consents GROUP BY contact_id) e
			ON e.contact_id = c.id WHERE coalesce(e.n, 0) <> %d`, perContact)},
		{&c.Orphans, `SELECT count(*) FROM consents e WHERE NOT EXISTS (SELECT 1 FROM contacts c WHERE c.id = e.contact_id)`},
		{&c.Entries, `SELECT count(*) FROM consents`},
	} {
		if err := db.QueryRow(q.sql).Scan(q.dst); err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
	}
	return c
}

// TestImportWithConsentKilledHalfway kills an import of a file with consent columns with
// SIGKILL while it writes, then checks that the database holds whole batches (every contact
// with both its ledger entries, no entry without its contact), that the chain verifies, that
// --resume completes the import with every row's entries exactly once, and that the chain
// still verifies.
func TestImportWithConsentKilledHalfway(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		const rows = 30000
		a := openApp(t, dsn)
		path := writeFile(t, "consent.csv", genConsentCSV(rows))
		ctx := context.Background()

		arg, _ := json.Marshal(childArgs{DSN: dsn, Path: path, ConsentPurpose: "newsletter"})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+string(arg))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var im store.Import
		deadline := time.Now().Add(60 * time.Second)
		for {
			var err error
			im, err = a.st.Import(ctx, a.Workspace.ID, 1)
			if err == nil && im.RowsDone > 0 {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("the child import committed nothing within a minute (last: %+v, %v)", im, err)
			}
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		// Read the import row before and after counting until both agree (a COMMIT sent just
		// before the kill may still be landing on PostgreSQL).
		var c ledgerCounts
		for try := 0; ; try++ {
			before, err := a.st.Import(ctx, a.Workspace.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			c = countLedger(t, a, 2)
			if im, err = a.st.Import(ctx, a.Workspace.ID, 1); err != nil {
				t.Fatal(err)
			}
			if im == before || try == 50 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if c.Contacts != im.Inserted || c.Entries != 2*c.Contacts || c.Uneven != 0 || c.Orphans != 0 || im.Status != store.ImportRunning {
			t.Fatalf("after kill: %+v, import row says %+v", c, im)
		}
		if c.Contacts == rows {
			t.Fatalf("the child finished before the kill: %+v", im)
		}
		t.Logf("killed after %d of %d rows committed (%d entries)", c.Contacts, rows, c.Entries)
		v, err := a.Consents.Verify(ctx, a.Workspace.ID)
		if err != nil || !v.Intact || v.Entries != c.Entries {
			t.Fatalf("verify after kill: %+v, %v", v, err)
		}

		waitClaimFree(t, a, im.ID)
		// The file names its purpose per row: --resume needs no --consent-purpose.
		sum, err := a.Imports.Import(ctx, a.Workspace.ID, contact.ImportRequest{Path: path}, im.ID)
		if err != nil {
			t.Fatalf("resume: %v", err)
		}
		c = countLedger(t, a, 2)
		if c.Contacts != rows || c.Entries != 2*rows || c.Uneven != 0 || c.Orphans != 0 || int64(sum.Inserted)+im.Inserted != rows {
			t.Fatalf("after resume: %+v (resume: %+v)", c, sum)
		}
		if got := checkProvenance(t, a, "newsletter"); got != rows {
			t.Fatalf("after resume: %d contacts on the list, want %d", got, rows)
		}
		v, err = a.Consents.Verify(ctx, a.Workspace.ID)
		if err != nil || !v.Intact || v.Entries != 2*rows {
			t.Fatalf("verify after resume: %+v, %v", v, err)
		}
	})
}
