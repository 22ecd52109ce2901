package storetest

import (
	"context"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testImportPages: the import listing pages newest first by id (before), and an import keeps
// who started it.
func testImportPages(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "import-pages")
	var ids []int64
	for i, by := range []string{"user ann@example.com", "", "token ci"} {
		_, im, err := st.StartImport(ctx, contact.Source{WorkspaceID: w, Type: "api", Evidence: map[string]string{}},
			store.Import{WorkspaceID: w, FileName: "f.csv", OnConflict: "update", StartedBy: by})
		if err != nil {
			t.Fatalf("import %d: %v", i, err)
		}
		ids = append(ids, im.ID)
	}
	first, err := st.Imports(ctx, w, 0, 2)
	if err != nil || len(first) != 2 || first[0].ID != ids[2] || first[1].ID != ids[1] || first[0].StartedBy != "token ci" {
		t.Fatalf("first page = %+v, %v", first, err)
	}
	next, err := st.Imports(ctx, w, first[1].ID, 2)
	if err != nil || len(next) != 1 || next[0].ID != ids[0] || next[0].StartedBy != "user ann@example.com" {
		t.Fatalf("next page = %+v, %v", next, err)
	}
	if other, err := st.Imports(ctx, ws(t, st, "import-pages-other"), 0, 10); err != nil || len(other) != 0 {
		t.Fatalf("another workspace sees %+v, %v", other, err)
	}
	if got, err := st.Import(ctx, w, ids[1]); err != nil || got.StartedBy != "" {
		t.Fatalf("import without a starter = %+v, %v", got, err)
	}
}
