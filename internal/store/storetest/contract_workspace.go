package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testWorkspaceAdmin: create, rename and delete workspaces; a deleted workspace takes what
// it holds with it, its id is never given again (the do-not-contact list names workspaces
// without a foreign key), and one with consent records is never deleted.
func testWorkspaceAdmin(t *testing.T, st *store.Store) {
	ctx := context.Background()
	if _, err := st.CreateWorkspace(ctx, store.DefaultWorkspace); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("creating default again: %v, want ErrConflict", err)
	}
	old, err := st.CreateWorkspace(ctx, "wa-old")
	if err != nil {
		t.Fatal(err)
	}
	src := source(t, st, old.ID)
	if _, err := st.CreateContact(ctx, newContact(old.ID, src.ID, "x@example.com"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: old.ID, Name: "L"}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddSuppressions(ctx, old.ID, []store.Suppression{supp("gone@example.com", "", "unsubscribe")}, ""); err != nil {
		t.Fatal(err)
	}
	holds, err := st.WorkspaceContentsOf(ctx, old.ID)
	if err != nil || holds != (store.WorkspaceContents{Contacts: 1, Lists: 1, Suppressions: 1}) {
		t.Fatalf("contents = %+v (%s), %v", holds, holds, err)
	}
	if err := st.RenameWorkspace(ctx, "wa-old", store.DefaultWorkspace); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("rename onto default: %v, want ErrConflict", err)
	}
	if err := st.RenameWorkspace(ctx, "wa-nope", "wa-x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("rename of a missing workspace: %v, want ErrNotFound", err)
	}
	if err := st.DeleteWorkspace(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := st.WorkspaceByName(ctx, "wa-old"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deleted workspace still there: %v", err)
	}
	if holds, err := st.WorkspaceContentsOf(ctx, old.ID); err != nil || !holds.Empty() {
		t.Fatalf("rows left under the deleted id: %+v, %v", holds, err)
	}
	fresh, err := st.CreateWorkspace(ctx, "wa-new")
	if err != nil {
		t.Fatal(err)
	}
	if fresh.ID <= old.ID {
		t.Fatalf("new workspace got id %d, not above the deleted %d", fresh.ID, old.ID)
	}
	if err := st.RenameWorkspace(ctx, "wa-new", "wa-renamed"); err != nil {
		t.Fatal(err)
	}
	if w, err := st.WorkspaceByName(ctx, "wa-renamed"); err != nil || w.ID != fresh.ID {
		t.Fatalf("renamed workspace = %+v, %v", w, err)
	}

	// A workspace with consent records keeps them and itself.
	kept, _ := st.CreateWorkspace(ctx, "wa-ledger")
	ksrc := source(t, st, kept.ID)
	c, err := st.CreateContact(ctx, newContact(kept.ID, ksrc.ID, "l@example.com"), nil)
	if err != nil {
		t.Fatal(err)
	}
	e := consentEntry(kept.ID, c.ID, consent.Granted)
	e.SourceID = ksrc.ID
	appendConsent(t, st, e)
	if err := st.DeleteWorkspace(ctx, kept); !errors.Is(err, store.ErrLedgerKept) {
		t.Fatalf("deleting a workspace with a ledger: %v, want ErrLedgerKept", err)
	}
	if _, err := st.WorkspaceByName(ctx, "wa-ledger"); err != nil {
		t.Fatalf("refused delete removed the workspace: %v", err)
	}
}
