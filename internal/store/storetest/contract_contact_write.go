package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testContactWrite covers WriteContact: a new contact is stored with its new source, its
// lists and one audit entry in one transaction, and a write that fails (a taken address, an
// unknown list, another workspace's contact) leaves no source, contact or entry behind.
func testContactWrite(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "write"), ws(t, st, "write-other")
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "news"})
	if err != nil {
		t.Fatal(err)
	}
	newSrc := func() *contact.Source {
		return &contact.Source{WorkspaceID: w, Type: "api", Description: "inline", Evidence: map[string]string{"form": "v1"}}
	}
	entries := func() int {
		t.Helper()
		es, err := st.AuditEntries(ctx, w, audit.Filter{Entity: "contact", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	sources := func() int {
		t.Helper()
		srcs, err := st.Sources(ctx, w, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(srcs)
	}

	c, err := st.WriteContact(ctx, contact.Write{Contact: newContact(w, 0, "w@example.com"), Source: newSrc(), ListIDs: []int64{l.ID}})
	if err != nil || c.ID == 0 || c.FirstSourceID == 0 {
		t.Fatalf("WriteContact (new) = %+v, %v", c, err)
	}
	if srcs, _ := st.ContactSources(ctx, w, c.ID); len(srcs) != 1 || srcs[0].ID != c.FirstSourceID || srcs[0].Evidence["form"] != "v1" {
		t.Fatalf("the new contact's sources = %+v", srcs)
	}
	if ids, _ := st.ContactLists(ctx, w, c.ID); len(ids) != 1 || ids[0] != l.ID {
		t.Fatalf("the new contact's lists = %v", ids)
	}
	if n := entries(); n != 1 {
		t.Fatalf("%d audit entries after one write, want 1", n)
	}

	// Failing writes with a new source: nothing of them stays, the source least of all.
	before, beforeEntries := sources(), entries()
	failing := map[string]contact.Write{
		"taken address": {Contact: newContact(w, 0, "w@example.com"), Source: newSrc()},
		"unknown list":  {Contact: newContact(w, 0, "x@example.com"), Source: newSrc(), ListIDs: []int64{l.ID + 1000}},
		"other's list":  {Contact: newContact(w, 0, "y@example.com"), Source: newSrc(), ListIDs: []int64{otherList(t, st, other)}},
		"no source":     {Contact: newContact(w, 0, "z@example.com")},
		"update, unknown contact": {Contact: contact.Contact{ID: c.ID + 1000, WorkspaceID: w, Email: "u@example.com",
			EmailCanonical: "u@example.com"}, Source: newSrc()},
		"update, other workspace": {Contact: contact.Contact{ID: c.ID, WorkspaceID: other, Email: "w@example.com",
			EmailCanonical: "w@example.com"}, Source: newSrc()},
	}
	for name, fw := range failing {
		if _, err := st.WriteContact(ctx, fw); err == nil {
			t.Errorf("%s: WriteContact succeeded", name)
		}
	}
	if _, err := st.WriteContact(ctx, failing["taken address"]); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a taken address gives %v, want ErrConflict", err)
	}
	if n := sources(); n != before {
		t.Errorf("%d sources after failed writes, want %d: a failed write left its source behind", n, before)
	}
	if n := entries(); n != beforeEntries {
		t.Errorf("%d audit entries after failed writes, want %d", n, beforeEntries)
	}
	if all, _ := st.Contacts(ctx, w, store.ContactFilter{}); len(all) != 1 {
		t.Errorf("%d contacts after failed writes, want 1", len(all))
	}

	// An update with a new source records it as having touched the contact, with its list.
	l2, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "events"})
	c.Status, c.Phone = contact.StatusUnsubscribed, "+15550123"
	got, err := st.WriteContact(ctx, contact.Write{Contact: c, Source: newSrc(), ListIDs: []int64{l2.ID},
		By: store.StatusChangeBy{By: "ann", Reason: "asked"}})
	if err != nil || got.Status != contact.StatusUnsubscribed || got.Phone != "+15550123" {
		t.Fatalf("WriteContact (update) = %+v, %v", got, err)
	}
	if srcs, _ := st.ContactSources(ctx, w, c.ID); len(srcs) != 2 || srcs[0].ID != c.FirstSourceID {
		t.Errorf("sources after the update = %+v", srcs)
	}
	if ids, _ := st.ContactLists(ctx, w, c.ID); len(ids) != 2 {
		t.Errorf("lists after the update = %v", ids)
	}
	if ch, _ := st.StatusChanges(ctx, w, c.ID); len(ch) != 1 || ch[0].By != "ann" || ch[0].Reason != "asked" {
		t.Errorf("status changes = %+v", ch)
	}
	es, _ := st.AuditEntries(ctx, w, audit.Filter{Entity: "contact", Limit: 1})
	if len(es) != 1 || es[0].Action != "contact.status" {
		t.Errorf("last audit entry = %+v, want contact.status", es)
	}

	// A refused status change leaves the new source out too.
	before = sources()
	c.Status = contact.StatusActive
	_, err = st.WriteContact(ctx, contact.Write{Contact: c, Source: newSrc(),
		By: store.StatusChangeBy{Rule: func(from, to contact.Status) error { return contact.ErrStatusLift }}})
	if !errors.Is(err, contact.ErrStatusLift) || sources() != before {
		t.Errorf("refused update = %v with %d sources, want ErrStatusLift with %d", err, sources(), before)
	}
}

// otherList creates a list in workspace ws and returns its id.
func otherList(t *testing.T, st *store.Store, ws int64) int64 {
	t.Helper()
	l, err := st.CreateList(context.Background(), contact.List{WorkspaceID: ws, Name: "theirs"})
	if err != nil {
		t.Fatal(err)
	}
	return l.ID
}
