package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testSuppressionService covers what the do-not-contact service needs beyond the list itself:
// an erasure in one transaction, a workspace's id by name (the public form) and the contacts
// of one list (call lists).
func testSuppressionService(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "dnc-service")

	// Erasure: the erasure entry and the dropped clear values commit together.
	first := supp("gone@example.com", "email", "unsubscribe")
	first.Note = "asked by phone"
	if _, _, err := st.AddSuppressions(ctx, w, []store.Suppression{first}, ""); err != nil {
		t.Fatal(err)
	}
	added, erased, err := st.EraseSuppression(ctx, w, supp("gone@example.com", "", "erasure"), "dsar")
	if err != nil || len(added) != 1 || erased != 2 || added[0].Value == "" {
		t.Fatalf("erase = %+v, %d, %v; want the new entry (as added) and 2 erased", added, erased, err)
	}
	all, err := st.Suppressions(ctx, w, store.SuppressionFilter{Hash: sha(t, "gone@example.com")})
	if err != nil || len(all) != 2 {
		t.Fatalf("after erasure: %+v, %v", all, err)
	}
	for _, e := range all {
		if e.Value != "" || e.Note != "" {
			t.Fatalf("entry %d keeps its clear value or note: %+v", e.ID, e)
		}
	}
	// Again: the erasure entry stands (a duplicate), nothing is left to erase.
	if added, erased, err := st.EraseSuppression(ctx, w, supp("gone@example.com", "", "erasure"), "dsar"); err != nil || len(added) != 0 || erased != 0 {
		t.Fatalf("second erase = %+v, %d, %v", added, erased, err)
	}
	lines, err := st.SuppressionAudit(ctx, w, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range lines {
		actions = append(actions, l.Action)
	}
	if fmt.Sprint(actions) != "[added added erased]" {
		t.Fatalf("audit trail = %v", actions)
	}

	// Workspace ids by name; an unknown name is ErrNotFound.
	if id, err := st.WorkspaceID(ctx, "dnc-service"); err != nil || id != w {
		t.Fatalf("WorkspaceID = %d, %v; want %d", id, err, w)
	}
	if _, err := st.WorkspaceID(ctx, "no-such-workspace"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown workspace: %v", err)
	}

	// The contacts of one list, in id order, and none of another list or workspace.
	src := source(t, st, w)
	calls, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "calls"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "other"})
	if err != nil {
		t.Fatal(err)
	}
	for i, l := range []int64{calls.ID, other.ID, calls.ID} {
		if _, err := st.CreateContact(ctx, newContact(w, src.ID, fmt.Sprintf("c%d@example.com", i)), []int64{l}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	err = st.EachListContact(ctx, w, calls.ID, func(c contact.Contact) error {
		got = append(got, c.Email)
		return nil
	})
	if err != nil || fmt.Sprint(got) != "[c0@example.com c2@example.com]" {
		t.Fatalf("EachListContact = %v, %v", got, err)
	}
	got = nil
	if err := st.EachListContact(ctx, ws(t, st, "dnc-elsewhere"), calls.ID, func(c contact.Contact) error {
		got = append(got, c.Email)
		return nil
	}); err != nil || len(got) != 0 {
		t.Fatalf("another workspace reads the list: %v, %v", got, err)
	}
}
