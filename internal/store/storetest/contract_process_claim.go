package storetest

import (
	"context"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
)

// testProcessClaim: a claimed process name is alive until released; a name never claimed is
// not; two names are independent; a released name can be claimed again.
func testProcessClaim(t *testing.T, st *store.Store) {
	ctx := context.Background()
	alive := func(name string) bool {
		t.Helper()
		ok, err := st.ProcessAlive(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if alive("serve_never") {
		t.Fatal("a name never claimed is alive")
	}
	release, err := st.ClaimProcess(ctx, "serve_a")
	if err != nil {
		t.Fatal(err)
	}
	if !alive("serve_a") || alive("serve_b") {
		t.Fatalf("while serve_a is claimed: alive(a) = %v, alive(b) = %v; want true, false", alive("serve_a"), alive("serve_b"))
	}
	if !alive("serve_a") {
		t.Fatal("asking whether a process is alive dropped its claim")
	}
	release()
	if alive("serve_a") {
		t.Fatal("a released name is alive")
	}
	again, err := st.ClaimProcess(ctx, "serve_a")
	if err != nil {
		t.Fatalf("claim after release: %v", err)
	}
	again()
}
