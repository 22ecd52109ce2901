package app

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// childEnv makes the test binary act as `clearlist import` in a child process, so that the
// test can kill it with SIGKILL part-way.
const childEnv = "CLEARLIST_TEST_CHILD_IMPORT"

type childArgs struct {
	DSN, Path string
	// ConsentPurpose, when set, is the import's --consent-purpose (a file with consent columns).
	ConsentPurpose string
}

func childImport() int {
	var args childArgs
	if err := json.Unmarshal([]byte(os.Getenv(childEnv)), &args); err != nil {
		return 2
	}
	ctx := context.Background()
	a, err := Open(ctx, config.Config{DB: args.DSN, Workspace: "default", LogLevel: "error"})
	if err != nil {
		return 3
	}
	_, err = a.Imports.Import(ctx, a.Workspace.ID, contact.ImportRequest{Path: args.Path, List: "newsletter",
		Source: contact.Source{Type: "web-form-double-opt-in"}, ConsentPurpose: args.ConsentPurpose}, 0)
	if err != nil {
		return 4
	}
	return 0
}

// TestImportKilledHalfway kills an import with SIGKILL while it writes, then checks that the
// database holds whole batches only (every contact with its source and list membership, the
// import's counters matching what is there), that --resume completes it, and that importing
// the file again changes nothing.
func TestImportKilledHalfway(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		const rows = 60000
		a := openApp(t, dsn)
		declare(t, a, "first_name", "company", "company_size")
		path := writeFile(t, "big.csv", genCSV(rows))
		ctx := context.Background()

		arg, _ := json.Marshal(childArgs{DSN: dsn, Path: path})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childEnv+"="+string(arg))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until at least one batch is committed, then kill without warning.
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
		var err error
		// On PostgreSQL a COMMIT the child sent just before it died may still be landing: read
		// the import row before and after counting, until both agree, so the count and the row
		// come from one committed state (each batch commits its contacts and its row together).
		var n int
		for try := 0; ; try++ {
			before, err := a.st.Import(ctx, a.Workspace.ID, 1)
			if err != nil {
				t.Fatal(err)
			}
			n = checkProvenance(t, a, "newsletter")
			if im, err = a.st.Import(ctx, a.Workspace.ID, 1); err != nil {
				t.Fatal(err)
			}
			if im == before || try == 50 {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if int64(n) != im.Inserted || im.Status != store.ImportRunning {
			t.Fatalf("after kill: %d contacts, import row says %+v", n, im)
		}
		t.Logf("killed after %d of %d rows committed (status %s)", n, rows, im.Status)

		// A server starting now finds the import no process runs: it cannot resume a local
		// file, so it marks the import failed, saying how to resume it.
		waitClaimFree(t, a, im.ID)
		recoverImports(t, a)
		failed, _ := a.st.Import(ctx, a.Workspace.ID, im.ID)
		if failed.Status != store.ImportFailed || !strings.Contains(failed.Error, fmt.Sprintf("clearlist import --resume %d FILE", im.ID)) ||
			failed.RowsDone != im.RowsDone {
			t.Fatalf("after a server start: %+v; want failed, saying how to resume", failed)
		}

		sum, err := a.Imports.Import(ctx, a.Workspace.ID, contact.ImportRequest{Path: path}, im.ID)
		if err != nil {
			t.Fatalf("resume: %v", err)
		}
		if got := checkProvenance(t, a, "newsletter"); got != rows || int64(sum.Inserted)+im.Inserted != rows {
			t.Fatalf("after resume: %d contacts (resume inserted %d), want %d", got, sum.Inserted, rows)
		}
		done, _ := a.st.Import(ctx, a.Workspace.ID, im.ID)
		if done.Status != store.ImportDone || done.Inserted != rows {
			t.Fatalf("import after resume: %+v", done)
		}
		again := importFile(t, a, path, nil)
		if again.Inserted != 0 || again.Unchanged != rows {
			t.Fatalf("re-import after resume: %+v", again)
		}
	})
}
