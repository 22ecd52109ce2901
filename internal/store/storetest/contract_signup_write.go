package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store"
)

// testWriteSignup: a sign-up request's source, new contact, sign-up and granted entries
// commit together, and a new contact whose address is taken leaves nothing behind.
func testWriteSignup(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "signup-write")
	at := time.Now().UTC().Truncate(time.Microsecond)
	write := func(email string, hash byte) signup.Write {
		return signup.Write{
			Source:  contact.Source{Type: "web-form-double-opt-in", Description: "sign-up", CollectedAt: &at},
			Contact: &contact.Contact{Email: email, EmailCanonical: email, Attrs: map[string]any{}},
			Signup: signup.Signup{WorkspaceID: w, Purposes: []string{"newsletter"}, FormID: "f", FormVersion: "1",
				Wording: map[string]string{"newsletter": "Yes"}, TokenHash: bytes.Repeat([]byte{hash}, 32),
				RequestedAt: at, ExpiresAt: at.Add(time.Hour)},
			Entries: []consent.Entry{{WorkspaceID: w, Purpose: "newsletter", Channel: consent.Email, Action: consent.Granted,
				Basis: consent.BasisDoubleOptIn, Actor: "public:subscribe", Evidence: consent.Evidence{Wording: "Yes", Timestamp: at}}},
		}
	}
	sg, err := st.WriteSignup(ctx, write("new@example.com", 1))
	if err != nil || sg.ID == 0 || sg.ContactID == 0 || sg.SourceID == 0 {
		t.Fatalf("WriteSignup = %+v, %v", sg, err)
	}
	c, err := st.ContactByEmail(ctx, w, "new@example.com")
	if err != nil || c.ID != sg.ContactID || c.FirstSourceID != sg.SourceID {
		t.Fatalf("the new contact: %+v, %v; sign-up %+v", c, err, sg)
	}
	es, err := st.ConsentsForContact(ctx, w, c.ID)
	if err != nil || len(es) != 1 || es[0].SourceID != sg.SourceID || es[0].Action != consent.Granted {
		t.Fatalf("entries = %+v, %v", es, err)
	}
	sources, _ := st.Sources(ctx, w, 0, 100)

	// The same address again as a new contact: a conflict, and no second source.
	if _, err := st.WriteSignup(ctx, write("new@example.com", 2)); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a taken address as a new contact: %v", err)
	}
	if after, _ := st.Sources(ctx, w, 0, 100); len(after) != len(sources) {
		t.Fatalf("a refused sign-up left a source behind: %d → %d", len(sources), len(after))
	}
	if _, err := st.SignupByTokenHash(ctx, w, bytes.Repeat([]byte{2}, 32)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a refused sign-up was recorded: %v", err)
	}

	// The existing contact signs up again.
	again := write("", 3)
	again.Contact, again.Signup.ContactID = nil, c.ID
	sg2, err := st.WriteSignup(ctx, again)
	if err != nil || sg2.ContactID != c.ID || sg2.SourceID == sg.SourceID {
		t.Fatalf("a sign-up of an existing contact: %+v, %v", sg2, err)
	}
	if es, _ := st.ConsentsForContact(ctx, w, c.ID); len(es) != 2 || es[1].SourceID != sg2.SourceID {
		t.Fatalf("entries after the second sign-up: %+v", es)
	}
}
