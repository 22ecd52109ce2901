package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/store"
)

// testImportCancel: a running import is cancelled once, with its import.cancel entry naming
// who and the counts so far; after it no batch commits (it rolls back whole) and finishing
// it leaves it cancelled; an ended import, or another workspace's, is refused.
func testImportCancel(t *testing.T, st *store.Store) {
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.User, ID: "3", Name: "ann@example.com"})
	w := ws(t, st, "import-cancel")
	src := source(t, st, w)
	im, err := st.CreateImport(ctx, store.Import{WorkspaceID: w, SourceID: src.ID, FileName: "a.csv", OnConflict: "update"})
	if err != nil {
		t.Fatal(err)
	}
	writeBatch(t, st, contact.Batch{WorkspaceID: w, SourceID: src.ID, ImportID: im.ID, Rows: rows(10, nil), LastRow: 11, Failed: 1})
	if _, err := st.CancelImport(ctx, ws(t, st, "import-cancel-other"), im.ID, "user x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("cancel from another workspace: %v", err)
	}
	got, err := st.CancelImport(ctx, w, im.ID, "user ann@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != store.ImportCancelled || got.CancelledBy != "user ann@example.com" || got.RowsDone != 11 || got.Inserted != 10 ||
		got.Failed != 1 || got.FinishedAt == nil {
		t.Fatalf("cancelled import = %+v", got)
	}
	// A batch after the cancel rolls back whole: no contact, no progress.
	bw, err := st.NewBatchWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	later := rows(15, nil)[10:]
	_, err = bw.WriteBatch(ctx, &contact.Batch{WorkspaceID: w, SourceID: src.ID, ImportID: im.ID, Rows: later, LastRow: 16})
	bw.Close()
	if !errors.Is(err, imports.ErrCancelled) {
		t.Fatalf("a batch after the cancel: %v; want ErrCancelled", err)
	}
	if _, err := st.ContactByEmail(ctx, w, later[0].EmailCanonical); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a batch after the cancel stored its rows: %v", err)
	}
	if err := st.FinishImport(ctx, w, im.ID, store.ImportDone, "", 16, 0); !errors.Is(err, imports.ErrCancelled) {
		t.Fatalf("finish a cancelled import: %v; want ErrCancelled", err)
	}
	again, err := st.CancelImport(ctx, w, im.ID, "user bob@example.com")
	if !errors.Is(err, imports.ErrNotCancellable) || again.Status != store.ImportCancelled || again.CancelledBy != "user ann@example.com" {
		t.Fatalf("cancel twice: %+v, %v; want ErrNotCancellable with the import as it is", again, err)
	}
	if now, _ := st.Import(ctx, w, im.ID); now.Status != store.ImportCancelled || now.RowsDone != 11 || now.Inserted != 10 {
		t.Fatalf("after the refused writes: %+v", now)
	}
	es, err := st.AuditEntries(ctx, w, audit.Filter{Entity: "import"})
	if err != nil || len(es) != 1 || es[0].Action != "import.cancel" || es[0].Actor.Name != "ann@example.com" ||
		es[0].EntityID != fmt.Sprint(im.ID) {
		t.Fatalf("audit entries = %+v, %v; want one import.cancel by ann", es, err)
	}
	done, err := st.CreateImport(ctx, store.Import{WorkspaceID: w, SourceID: src.ID, FileName: "b.csv", OnConflict: "update"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishImport(ctx, w, done.ID, store.ImportFailed, "boom", 0, 0); err != nil {
		t.Fatal(err)
	}
	if got, err := st.CancelImport(ctx, w, done.ID, "user ann@example.com"); !errors.Is(err, imports.ErrNotCancellable) || got.Status != store.ImportFailed {
		t.Fatalf("cancel a failed import: %+v, %v", got, err)
	}
}
