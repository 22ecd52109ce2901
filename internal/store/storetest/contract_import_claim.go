package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testImportClaim: one claim on an import at a time; released, it can be taken again; a
// claim on one import does not block another; UnfinishedImports lists the running ones.
func testImportClaim(t *testing.T, st *store.Store) {
	ctx := context.Background()
	release, err := st.ClaimImport(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.ClaimImport(ctx, 1); !errors.Is(err, store.ErrImportClaimed) {
		t.Fatalf("second claim on import 1: %v; want ErrImportClaimed", err)
	}
	other, err := st.ClaimImport(ctx, 2)
	if err != nil {
		t.Fatalf("claim on import 2 while 1 is held: %v", err)
	}
	other()
	release()
	again, err := st.ClaimImport(ctx, 1)
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	again()

	w := ws(t, st, "claims")
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w, Type: "api"})
	if err != nil {
		t.Fatal(err)
	}
	running, err := st.CreateImport(ctx, store.Import{WorkspaceID: w, SourceID: src.ID, FileName: "a.csv", OnConflict: "update"})
	if err != nil {
		t.Fatal(err)
	}
	finished, err := st.CreateImport(ctx, store.Import{WorkspaceID: w, SourceID: src.ID, FileName: "b.csv", OnConflict: "update"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.FinishImport(ctx, w, finished.ID, store.ImportDone, "", 0, 0); err != nil {
		t.Fatal(err)
	}
	ims, err := st.UnfinishedImports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, im := range ims {
		found = found || im.ID == running.ID
		if im.ID == finished.ID || im.Status != store.ImportRunning {
			t.Errorf("UnfinishedImports lists %+v", im)
		}
	}
	if !found {
		t.Errorf("UnfinishedImports = %+v, want import %d", ims, running.ID)
	}
}
