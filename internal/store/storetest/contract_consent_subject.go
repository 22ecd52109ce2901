package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testConsentSubjects covers the lookups the consent and sign-up services name contacts and
// workspaces by, and the workspace barrier between them.
func testConsentSubjects(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "subject"), ws(t, st, "subject-other")
	if id, err := st.WorkspaceID(ctx, "subject"); err != nil || id != w {
		t.Fatalf("WorkspaceID = %d, %v; want %d", id, err, w)
	}
	if _, err := st.WorkspaceID(ctx, "no-such-workspace"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("WorkspaceID of no workspace: %v", err)
	}
	src := source(t, st, w)
	c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w, Email: "Ann@Example.com", EmailCanonical: "ann@example.com",
		FirstSourceID: src.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := consent.Subject{ID: c.ID, Email: "Ann@Example.com", Canonical: "ann@example.com"}
	if got, err := st.ConsentSubject(ctx, w, c.ID); err != nil || got != want {
		t.Fatalf("ConsentSubject = %+v, %v; want %+v", got, err, want)
	}
	if got, err := st.ConsentSubjectByEmail(ctx, w, "ann@example.com"); err != nil || got != want {
		t.Fatalf("ConsentSubjectByEmail = %+v, %v; want %+v", got, err, want)
	}
	if _, err := st.ConsentSubject(ctx, other, c.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another workspace's contact by id: %v", err)
	}
	if _, err := st.ConsentSubjectByEmail(ctx, other, "ann@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another workspace's contact by address: %v", err)
	}
	// An entry naming another workspace's source is refused as that, not as a missing contact.
	osrc := source(t, st, other)
	_, err = st.AppendConsent(ctx, consent.Entry{WorkspaceID: w, ContactID: c.ID, Purpose: "newsletter", Channel: consent.Email,
		Action: consent.Withdrawn, Basis: consent.BasisConsent, SourceID: osrc.ID, Actor: "test",
		Evidence: consent.Evidence{Timestamp: time.Now()}})
	if !errors.Is(err, consent.ErrUnknownSource) || !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("entry with another workspace's source: %v", err)
	}
}
