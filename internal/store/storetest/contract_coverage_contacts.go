package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testContactStatusChanges covers UpdateContactAs, StatusChanges and DeleteContactAs: a status
// change is recorded with who made it, a refusing rule changes nothing, and another
// workspace's contact is neither seen nor changed.
func testContactStatusChanges(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "status"), ws(t, st, "status-other")
	src := source(t, st, w)
	c, err := st.CreateContact(ctx, newContact(w, src.ID, "st@example.com"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if ch, err := st.StatusChanges(ctx, w, c.ID); err != nil || len(ch) != 0 {
		t.Fatalf("StatusChanges of a new contact = %v, %v; want none", ch, err)
	}

	// An update without a status keeps the stored one and records no change.
	c.Phone = "+15550100"
	got, err := st.UpdateContactAs(ctx, c, 0, nil, store.StatusChangeBy{By: "ann"})
	if err != nil || got.Phone != "+15550100" || got.Status != c.Status {
		t.Fatalf("UpdateContactAs (no status) = %+v, %v", got, err)
	}
	if ch, _ := st.StatusChanges(ctx, w, c.ID); len(ch) != 0 {
		t.Fatalf("an update without a status change recorded %v", ch)
	}

	// A refusing rule sees the stored status and changes nothing, not even the other fields.
	refuse := errors.New("refused")
	c.Status, c.Phone = contact.StatusBlocked, "+15550199"
	var seenFrom, seenTo contact.Status
	_, err = st.UpdateContactAs(ctx, c, 0, nil, store.StatusChangeBy{By: "ann", Rule: func(from, to contact.Status) error {
		seenFrom, seenTo = from, to
		return refuse
	}})
	if !errors.Is(err, refuse) || seenFrom != got.Status || seenTo != contact.StatusBlocked {
		t.Fatalf("UpdateContactAs with a refusing rule = %v (rule saw %q→%q)", err, seenFrom, seenTo)
	}
	if now, _ := st.Contact(ctx, w, c.ID); now.Status != got.Status || now.Phone != "+15550100" {
		t.Fatalf("a refused update changed the contact: %+v", now)
	}

	// An accepted change is stored and recorded with who and why; a source touch and lists are added.
	l, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "blocked"})
	src2 := source(t, st, w)
	got, err = st.UpdateContactAs(ctx, c, src2.ID, []int64{l.ID}, store.StatusChangeBy{By: "ann", Reason: "abuse",
		Rule: func(from, to contact.Status) error { return nil }})
	if err != nil || got.Status != contact.StatusBlocked || got.Phone != "+15550199" {
		t.Fatalf("UpdateContactAs = %+v, %v", got, err)
	}
	ch, err := st.StatusChanges(ctx, w, c.ID)
	if err != nil || len(ch) != 1 || ch[0].From != contact.StatusActive || ch[0].To != contact.StatusBlocked ||
		ch[0].By != "ann" || ch[0].Reason != "abuse" || ch[0].ContactID != c.ID || ch[0].At.IsZero() {
		t.Fatalf("StatusChanges = %+v, %v", ch, err)
	}
	if lists, _ := st.ContactLists(ctx, w, c.ID); len(lists) != 1 || lists[0] != l.ID {
		t.Fatalf("UpdateContactAs did not add the list: %v", lists)
	}
	if srcs, _ := st.ContactSources(ctx, w, c.ID); len(srcs) != 2 {
		t.Fatalf("UpdateContactAs did not record the source: %v", srcs)
	}

	// Workspace barrier: the other workspace cannot see, update or delete the contact, nor
	// use its own source or list on it.
	if ch, err := st.StatusChanges(ctx, other, c.ID); err != nil || len(ch) != 0 {
		t.Fatalf("StatusChanges crossed the workspace barrier: %v, %v", ch, err)
	}
	stolen := c
	stolen.WorkspaceID, stolen.Status = other, contact.StatusActive
	if _, err := st.UpdateContactAs(ctx, stolen, 0, nil, store.StatusChangeBy{By: "mallory"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateContactAs in another workspace = %v, want ErrNotFound", err)
	}
	c.Status = contact.StatusActive
	if _, err := st.UpdateContactAs(ctx, c, source(t, st, other).ID, nil, store.StatusChangeBy{By: "mallory"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateContactAs with another workspace's source = %v, want ErrNotFound", err)
	}
	theirList, _ := st.CreateList(ctx, contact.List{WorkspaceID: other, Name: "theirs"})
	if _, err := st.UpdateContactAs(ctx, c, src.ID, []int64{theirList.ID}, store.StatusChangeBy{By: "mallory"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateContactAs onto another workspace's list = %v, want ErrNotFound", err)
	}
	if lists, _ := st.ContactLists(ctx, w, c.ID); len(lists) != 1 {
		t.Fatalf("a failed update changed the memberships: %v", lists)
	}
	if now, _ := st.Contact(ctx, w, c.ID); now.Status != contact.StatusBlocked {
		t.Fatalf("a failed update changed the status: %+v", now)
	}
	if err := st.DeleteContactAs(ctx, other, c.ID, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteContactAs in another workspace = %v, want ErrNotFound", err)
	}

	// DeleteContactAs asks the rule about the stored status; a refusal keeps the contact.
	var seen contact.Status
	if err := st.DeleteContactAs(ctx, w, c.ID, func(s contact.Status) error { seen = s; return refuse }); !errors.Is(err, refuse) || seen != contact.StatusBlocked {
		t.Fatalf("DeleteContactAs with a refusing rule = %v (rule saw %q)", err, seen)
	}
	if _, err := st.Contact(ctx, w, c.ID); err != nil {
		t.Fatalf("a refused delete removed the contact: %v", err)
	}
	if err := st.DeleteContactAs(ctx, w, c.ID, func(contact.Status) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Contact(ctx, w, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("contact after DeleteContactAs: %v", err)
	}
	if m, _ := st.ContactLists(ctx, w, c.ID); len(m) != 0 {
		t.Fatalf("DeleteContactAs left memberships: %v", m)
	}
	if err := st.DeleteContactAs(ctx, w, c.ID, nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("DeleteContactAs twice = %v, want ErrNotFound", err)
	}
	if _, err := st.UpdateContactAs(ctx, c, 0, nil, store.StatusChangeBy{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateContactAs of a deleted contact = %v, want ErrNotFound", err)
	}
}

// testAllSources covers AllSources: every source of the workspace by id, no other's.
func testAllSources(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other, empty := ws(t, st, "sources-all"), ws(t, st, "sources-all-other"), ws(t, st, "sources-none")
	a, b := source(t, st, w), source(t, st, w)
	theirs := source(t, st, other)
	all, err := st.AllSources(ctx, w)
	if err != nil || len(all) != 2 || all[a.ID].ID != a.ID || all[b.ID].Type != "api" ||
		all[a.ID].Evidence["form_url"] != "https://example.com/f" {
		t.Fatalf("AllSources = %+v, %v", all, err)
	}
	if _, leak := all[theirs.ID]; leak {
		t.Fatalf("AllSources returned another workspace's source")
	}
	if none, err := st.AllSources(ctx, empty); err != nil || len(none) != 0 {
		t.Fatalf("AllSources of an empty workspace = %v, %v", none, err)
	}
}
