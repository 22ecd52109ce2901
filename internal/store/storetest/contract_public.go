package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testPublicLists: a list is private unless created or switched public, per workspace; an
// open sign-up's link can be renewed, a closed one's cannot.
func testPublicLists(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := ws(t, st, "pub-a"), ws(t, st, "pub-b")
	priv, err := st.CreateList(ctx, contact.List{WorkspaceID: a, Name: "private"})
	if err != nil || priv.Public {
		t.Fatalf("CreateList = %+v, %v", priv, err)
	}
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: b, Name: "open", Public: true}); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.HasPublicList(ctx, a); err != nil || ok {
		t.Fatalf("workspace a has a public list: %v %v (only b's list is public)", ok, err)
	}
	if l, _ := st.ListByName(ctx, b, "open"); !l.Public {
		t.Fatalf("created public, read back %+v", l)
	}
	if _, err := st.SetListPublic(ctx, b, priv.ID, true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("switched another workspace's list: %v", err)
	}
	l, err := st.SetListPublic(ctx, a, priv.ID, true)
	if err != nil || !l.Public {
		t.Fatalf("SetListPublic = %+v, %v", l, err)
	}
	if ok, _ := st.HasPublicList(ctx, a); !ok {
		t.Fatal("HasPublicList after switching on")
	}
	if lists, _ := st.Lists(ctx, a); len(lists) != 1 || !lists[0].Public {
		t.Fatalf("Lists = %+v", lists)
	}
	if l, _ := st.SetListPublic(ctx, a, priv.ID, false); l.Public {
		t.Fatal("switched off, still public")
	}

	// Renewing a sign-up's link.
	src := source(t, st, a)
	c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: a, Email: "r@example.com", EmailCanonical: "r@example.com",
		FirstSourceID: src.ID, Attrs: map[string]any{}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	sg, err := st.CreateSignup(ctx, store.Signup{WorkspaceID: a, ContactID: c.ID, SourceID: src.ID, Purposes: []string{"newsletter"},
		Wording: map[string]string{}, TokenHash: []byte("old-hash-old-hash-old-hash-old-ha"), RequestedAt: now, ExpiresAt: now.Add(time.Hour),
		Lang: "fr"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if open, err := st.OpenSignups(ctx, a, c.ID, now); err != nil || len(open) != 1 || open[0].Lang != "fr" {
		t.Fatalf("OpenSignups = %v, %v", open, err)
	}
	if open, _ := st.OpenSignups(ctx, a, c.ID, now.Add(2*time.Hour)); len(open) != 0 {
		t.Fatalf("an expired sign-up is open: %v", open)
	}
	if err := st.RenewSignupLink(ctx, b, sg.ID, []byte("x"), now.Add(2*time.Hour), "de"); !errors.Is(err, store.ErrSignupClosed) {
		t.Fatalf("renewed from another workspace: %v", err)
	}
	newHash := []byte("new-hash-new-hash-new-hash-new-ha")
	if err := st.RenewSignupLink(ctx, a, sg.ID, newHash, now.Add(2*time.Hour), "ar"); err != nil {
		t.Fatal(err)
	}
	if got, err := st.SignupByTokenHash(ctx, a, newHash); err != nil || got.ID != sg.ID || !got.ExpiresAt.Equal(now.Add(2*time.Hour)) || got.Lang != "ar" {
		t.Fatalf("after renewal: %+v %v", got, err)
	}
	if err := st.ConfirmSignup(ctx, a, sg.ID, now, "", "", nil); err != nil {
		t.Fatal(err)
	}
	if err := st.RenewSignupLink(ctx, a, sg.ID, []byte("y"), now.Add(3*time.Hour), "en"); !errors.Is(err, store.ErrSignupClosed) {
		t.Fatalf("renewed a confirmed sign-up: %v", err)
	}
}
