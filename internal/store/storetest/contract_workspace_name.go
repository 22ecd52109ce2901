package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
)

// testWorkspaceName: a workspace's name by its id; an unknown id is ErrNotFound.
func testWorkspaceName(t *testing.T, st *store.Store) {
	ctx := context.Background()
	id := ws(t, st, "named-by-id")
	if name, err := st.WorkspaceName(ctx, id); err != nil || name != "named-by-id" {
		t.Fatalf("WorkspaceName(%d) = %q, %v", id, name, err)
	}
	if _, err := st.WorkspaceName(ctx, id+100000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown id: %v, want ErrNotFound", err)
	}
}
