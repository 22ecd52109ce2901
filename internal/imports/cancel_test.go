package imports_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// cancelRows is a file of n rows with consent columns; rows 5 and n-5 are refused (a bad
// address), so that the error report shows which rows the import processed.
func cancelRows(n int) string {
	var b strings.Builder
	b.WriteString("email,consent_at,consent_wording\n")
	for i := 1; i <= n; i++ {
		if i == 5 || i == n-5 {
			fmt.Fprintf(&b, "bad-%d,2024-03-01T09:30:00Z,Yes please\n", i)
			continue
		}
		fmt.Fprintf(&b, "p%d@example.org,2024-03-01T09:30:00Z,Yes please\n", i)
	}
	return b.String()
}

// waitRows waits until import id has committed at least n rows (a batch's commit is the
// writer's, on its own goroutine).
func waitRows(t *testing.T, st *store.Store, ws, id, n int64) {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if im, err := st.Import(context.Background(), ws, id); err == nil && im.RowsDone >= n {
			return
		}
	}
	im, err := st.Import(context.Background(), ws, id)
	t.Fatalf("import %d never committed %d rows: %+v, %v", id, n, im, err)
}

// TestCancelRunning cancels an import while it runs, after its first batch committed: the
// import ends cancelled with the counts of its committed batches, no row after them is
// stored, the consent ledger holds whole batches and its chain is intact, the error report
// covers only the rows processed, and neither a resume nor the job run again imports more.
func TestCancelRunning(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "ops", Name: "clearlist import"})
		ws := workspace(t, st)
		const n = 6 * contact.DefaultBatchSize
		path := writeFile(t, t.TempDir(), "big.csv", cancelRows(n))
		svc := imports.New(st, contact.New(st, "DE"), blockList{}, imports.Config{DataDir: t.TempDir()})
		by := audit.WithActor(context.Background(), audit.Actor{Kind: audit.User, ID: "7", Name: "ann@example.com"})
		var cancelled imports.Import
		var importID int64
		calls := 0
		req := contact.ImportRequest{Path: path, List: "news", Source: contact.Source{Type: "web-form-double-opt-in"},
			ConsentPurpose: "newsletter", Progress: func(contact.Progress) {
				calls++
				if calls != 2 {
					return
				}
				// Two batches are queued: cancel once the first is committed.
				ims, err := svc.List(ctx, ws, 1)
				if err != nil || len(ims) != 1 {
					t.Errorf("imports: %v, %v", ims, err)
					return
				}
				importID = ims[0].ID
				waitRows(t, st, ws, importID, contact.DefaultBatchSize)
				if cancelled, err = svc.Cancel(by, ws, importID); err != nil {
					t.Errorf("cancel a running import: %v", err)
				}
			}}
		sum, err := svc.Import(ctx, ws, req, 0)
		if !errors.Is(err, imports.ErrCancelled) || !strings.Contains(err.Error(), "cancelled by user ann@example.com") {
			t.Fatalf("the cancelled import's run: %v; want ErrCancelled naming who", err)
		}
		if cancelled.Status != imports.Cancelled || cancelled.CancelledBy != "user ann@example.com" {
			t.Fatalf("cancel returned %+v", cancelled)
		}
		im, err := svc.Get(ctx, ws, importID)
		if err != nil {
			t.Fatal(err)
		}
		// The batch written while the cancel ran either committed before it or rolled back
		// (a batch is 10,000 stored rows: the first holds the refused row 5 too).
		if im.Status != imports.Cancelled || im.FinishedAt == nil ||
			(im.RowsDone != contact.DefaultBatchSize+1 && im.RowsDone != 2*contact.DefaultBatchSize+1) {
			t.Fatalf("after the cancel: %+v; want cancelled after one or two whole batches", im)
		}
		if im.RowsDone != cancelled.RowsDone || im.Inserted != cancelled.Inserted {
			t.Fatalf("a batch committed after the cancel: now %+v, at the cancel %+v", im, cancelled)
		}
		if im.Failed != 1 || im.Inserted != im.RowsDone-1 || im.Consents != im.Inserted || sum.Inserted != int(im.Inserted) {
			t.Fatalf("counts %+v, summary %+v; want every committed row but row 5, each with its consent entry", im, sum)
		}
		stored := 0
		if err := st.EachContact(ctx, ws, contact.Filter{}, func(contact.Contact) error { stored++; return nil }); err != nil {
			t.Fatal(err)
		}
		if int64(stored) != im.Inserted {
			t.Fatalf("%d contacts stored, the import says %d", stored, im.Inserted)
		}
		if _, err := st.ContactByEmail(ctx, ws, fmt.Sprintf("p%d@example.org", im.RowsDone+1)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the row after the last committed one was stored: %v", err)
		}
		var entries []consent.Entry
		if err := st.EachConsent(ctx, ws, func(e consent.Entry) error { entries = append(entries, e); return nil }); err != nil {
			t.Fatal(err)
		}
		if int64(len(entries)) != im.Consents {
			t.Fatalf("%d ledger entries, the import says %d", len(entries), im.Consents)
		}
		if b := consent.VerifyChain(slices.Values(entries)); b != nil {
			t.Fatalf("the consent ledger is broken after the cancel: %+v", b)
		}
		report, err := os.ReadFile(sum.ReportPath)
		if err != nil {
			t.Fatalf("error report: %v", err)
		}
		if !strings.Contains(string(report), "\n5,") || strings.Contains(string(report), fmt.Sprintf("\n%d,", n-5)) {
			t.Fatalf("the report of a cancelled import must hold the rows processed (5), not later ones (%d):\n%s", n-5, report)
		}
		es, err := st.AuditEntries(ctx, ws, audit.Filter{Entity: "import"})
		if err != nil || len(es) != 1 || es[0].Action != "import.cancel" || es[0].Actor.Name != "ann@example.com" {
			t.Fatalf("audit entries of the import: %+v, %v; want one import.cancel by the user", es, err)
		}
		// Cancelled for good: a resume and a second cancel are refused, saying why.
		if _, err := svc.Import(ctx, ws, contact.ImportRequest{Path: path, FileName: "big.csv"}, importID); !errors.Is(err, imports.ErrCancelled) ||
			!strings.Contains(err.Error(), "cannot be resumed") {
			t.Fatalf("resume of a cancelled import: %v", err)
		}
		if _, err := svc.Cancel(by, ws, importID); !errors.Is(err, imports.ErrNotCancellable) || !strings.Contains(err.Error(), "cancelled already, by user ann@example.com") {
			t.Fatalf("cancel twice: %v", err)
		}
		if again, _ := svc.Get(ctx, ws, importID); again.RowsDone != im.RowsDone || again.Inserted != im.Inserted {
			t.Fatalf("the refused resume changed the import: %+v", again)
		}
	})
}

// TestCancelUpload cancels uploads through a real River queue: one still queued (its job,
// when it runs, ends without importing and removes the upload), one finished (refused,
// saying so), and one cancelled while its job ran whose job is run again as after a restart
// (kill -9 of the server): it sees the cancel and ends.
func TestCancelUpload(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ws := workspace(t, st)
		sqlDB, pool, err := st.JobDB(ctx)
		if err != nil {
			t.Fatal(err)
		}
		q, err := jobs.Open(ctx, jobs.DB{SQLite: sqlDB, Postgres: pool}, jobs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		dataDir := t.TempDir()
		uploads := filepath.Join(dataDir, "uploads")
		os.Mkdir(uploads, 0o700)
		svc := imports.New(st, contact.New(st, "DE"), blockList{}, imports.Config{DataDir: dataDir, Log: slog.New(slog.DiscardHandler)})
		up := svc.Uploads(q)
		start := func(name, data string) imports.Import {
			t.Helper()
			im, err := up.Start(ctx, contact.ImportRequest{WorkspaceID: ws, Path: writeFile(t, uploads, name, data), FileName: name,
				Source: contact.Source{Type: "api"}, ConsentPurpose: "newsletter"})
			if err != nil {
				t.Fatal(err)
			}
			return im
		}

		queued := start("queued.csv", "email\na@example.org\n")
		got, err := svc.Cancel(ctx, ws, queued.ID)
		if err != nil || got.Status != imports.Cancelled || got.RowsDone != 0 {
			t.Fatalf("cancel a queued upload: %+v, %v", got, err)
		}
		if err := svc.RunUpload(ctx, ws, queued.ID); err != nil {
			t.Fatalf("the job of a cancelled upload: %v; want it to end quietly", err)
		}
		if _, err := st.ContactByEmail(ctx, ws, "a@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a cancelled upload was imported: %v", err)
		}
		leftUploads(t, uploads)
		if err := up.Recover(ctx); err != nil { // a restart finds nothing to requeue
			t.Fatal(err)
		}

		done := start("done.csv", "email\nb@example.org\n")
		if err := svc.RunUpload(ctx, ws, done.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Cancel(ctx, ws, done.ID); !errors.Is(err, imports.ErrNotCancellable) || !strings.Contains(err.Error(), "has finished (done)") {
			t.Fatalf("cancel a finished import: %v; want ErrNotCancellable saying it is done", err)
		}
		if _, err := svc.Cancel(ctx, ws, 999999); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cancel a missing import: %v", err)
		}

		// Cancelled while its job runs: the job stops at its next batch and ends well. The
		// upload is fed through a pipe, so that the job waits for rows after its first batch.
		running := start("running.csv", "email\nz@example.org\n")
		feed := fifo(t, filepath.Join(uploads, "running.csv"))
		errc := make(chan error, 1)
		go func() { errc <- svc.RunUpload(ctx, ws, running.ID) }()
		rows := strings.SplitAfter(cancelRows(3*contact.DefaultBatchSize), "\n")
		half := contact.DefaultBatchSize + 100
		feed(strings.Join(rows[:half], ""))
		waitRows(t, st, ws, running.ID, contact.DefaultBatchSize)
		if _, err := svc.Cancel(ctx, ws, running.ID); err != nil {
			t.Fatalf("cancel a running upload: %v", err)
		}
		feed(strings.Join(rows[half:], ""))
		feed("") // the end of the file
		if err := <-errc; err != nil {
			t.Fatalf("the job of an upload cancelled while it ran: %v; want it to end well", err)
		}
		if im, _ := svc.Get(ctx, ws, running.ID); im.Status != imports.Cancelled || im.RowsDone != contact.DefaultBatchSize+1 {
			t.Fatalf("an upload cancelled while it ran after its first batch: %+v", im)
		}
		leftUploads(t, uploads)

		// Cancelled while its job was stopped (the server killed under it): the job's next
		// run (River rescues it after a restart) sees the cancel and imports nothing.
		big := start("big.csv", "email\nz@example.org\n")
		feed = fifo(t, filepath.Join(uploads, "big.csv"))
		runCtx, stop := context.WithCancel(ctx)
		go func() { errc <- svc.RunUpload(runCtx, ws, big.ID) }()
		feed(strings.Join(rows[:half], ""))
		waitRows(t, st, ws, big.ID, contact.DefaultBatchSize)
		stop() // the server stops under the job, leaving the upload for its next run
		feed(strings.Join(rows[half:], ""))
		feed("")
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("the job stopped with its server: %v", err)
		}
		if im, _ := svc.Get(ctx, ws, big.ID); im.Status != imports.Running {
			t.Fatalf("an upload stopped with its server: %+v; want it left running for its job", im)
		}
		if _, err := svc.Cancel(ctx, ws, big.ID); err != nil {
			t.Fatalf("cancel an upload its stopped job left running: %v", err)
		}
		before, _ := svc.Get(ctx, ws, big.ID)
		if err := up.Recover(ctx); err != nil {
			t.Fatal(err)
		}
		if err := svc.RunUpload(ctx, ws, big.ID); err != nil {
			t.Fatalf("the job run again after the cancel: %v", err)
		}
		after, _ := svc.Get(ctx, ws, big.ID)
		if after.Status != imports.Cancelled || after.RowsDone != before.RowsDone || after.Inserted != before.Inserted {
			t.Fatalf("the job resumed a cancelled import: before %+v, after %+v", before, after)
		}
		leftUploads(t, uploads)
	})
}

// leftUploads fails when an upload or its request is left in dir: only error reports (kept
// for download) may stay once an upload is cancelled.
func leftUploads(t *testing.T, dir string) {
	t.Helper()
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		if !strings.HasSuffix(e.Name(), ".errors.csv") {
			t.Fatalf("a cancelled upload left %s", e.Name())
		}
	}
}
