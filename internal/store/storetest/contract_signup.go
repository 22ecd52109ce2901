package storetest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testSignups is the double opt-in part of the contract: sign-ups with their ledger
// entries, single-use confirmation, expiry, the welcome listing and signing keys.
func testSignups(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "signups")
	src := source(t, st, w)
	c, err := st.CreateContact(ctx, newContact(w, src.ID, "sig@example.com"), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "news"})
	at := time.Now().UTC().Truncate(time.Microsecond)
	ev := consent.Evidence{Wording: "Yes, the newsletter", FormID: "f", FormVersion: "1", IP: "192.0.2.1", UserAgent: "UA", Timestamp: at}
	granted := consent.Entry{WorkspaceID: w, ContactID: c.ID, Purpose: "newsletter", Channel: consent.Email,
		Action: consent.Granted, Basis: consent.BasisDoubleOptIn, SourceID: src.ID, Actor: "public:subscribe", Evidence: ev}
	mk := func(hash byte, expires time.Time) store.Signup {
		t.Helper()
		sg, err := st.CreateSignup(ctx, store.Signup{WorkspaceID: w, ContactID: c.ID, SourceID: src.ID, ListID: &l.ID,
			Purposes: []string{"newsletter"}, FormID: "f", FormVersion: "1", Wording: map[string]string{"newsletter": "Yes, the newsletter"},
			TokenHash: bytes.Repeat([]byte{hash}, 32), RequestedAt: at, RequestIP: "192.0.2.1", RequestUA: "UA", ExpiresAt: expires},
			[]consent.Entry{granted})
		if err != nil {
			t.Fatal(err)
		}
		return sg
	}
	sg := mk(1, at.Add(time.Hour))
	got, err := st.SignupByTokenHash(ctx, w, bytes.Repeat([]byte{1}, 32))
	if err != nil || got.ID != sg.ID || got.Lang != "" /* made before languages were kept: English */ || got.Wording["newsletter"] != "Yes, the newsletter" || got.ListID == nil || *got.ListID != l.ID ||
		!got.RequestedAt.Equal(at) || got.ConfirmedAt != nil || len(got.Purposes) != 1 {
		t.Fatalf("SignupByTokenHash = %+v, %v", got, err)
	}
	other := ws(t, st, "signups-other")
	if _, err := st.SignupByTokenHash(ctx, other, bytes.Repeat([]byte{1}, 32)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("sign-up visible from another workspace: %v", err)
	}
	if _, err := st.CreateSignup(ctx, store.Signup{WorkspaceID: w, ContactID: c.ID, SourceID: src.ID, Purposes: []string{"newsletter"},
		TokenHash: bytes.Repeat([]byte{1}, 32), RequestedAt: at, ExpiresAt: at}, nil); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("duplicate token hash: %v", err)
	}
	// A bad entry rolls the whole sign-up back.
	bad := granted
	bad.Purpose = "no-such-purpose"
	if _, err := st.CreateSignup(ctx, store.Signup{WorkspaceID: w, ContactID: c.ID, SourceID: src.ID, Purposes: []string{"x"},
		TokenHash: bytes.Repeat([]byte{9}, 32), RequestedAt: at, ExpiresAt: at}, []consent.Entry{bad}); !errors.Is(err, consent.ErrInvalid) {
		t.Fatalf("bad entry: %v", err)
	}
	if _, err := st.SignupByTokenHash(ctx, w, bytes.Repeat([]byte{9}, 32)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("sign-up kept after its entries failed: %v", err)
	}

	confirmed := granted
	confirmed.Action, confirmed.Evidence.IP = consent.Confirmed, "192.0.2.2"
	if err := st.ConfirmSignup(ctx, other, sg.ID, at, "192.0.2.2", "UA2", nil); !errors.Is(err, store.ErrSignupClosed) {
		t.Fatalf("confirmed from another workspace: %v", err)
	}
	if err := st.ConfirmSignup(ctx, w, sg.ID, at, "192.0.2.2", "UA2", []consent.Entry{confirmed}); err != nil {
		t.Fatal(err)
	}
	if err := st.ConfirmSignup(ctx, w, sg.ID, at, "192.0.2.2", "UA2", []consent.Entry{confirmed}); !errors.Is(err, store.ErrSignupClosed) {
		t.Fatalf("second confirmation: %v", err)
	}
	if lists, _ := st.ContactLists(ctx, w, c.ID); len(lists) != 1 || lists[0] != l.ID {
		t.Fatalf("lists after confirmation: %v", lists)
	}
	if s, _ := st.ConsentState(ctx, w, c.ID, "newsletter", consent.Email); s.State != consent.StateConfirmed {
		t.Fatalf("state after confirmation: %v", s.State)
	}

	// Past its expiry a sign-up cannot be confirmed; it is due for expiry, once.
	old := mk(2, at.Add(-time.Minute))
	if err := st.ConfirmSignup(ctx, w, old.ID, at, "", "", []consent.Entry{confirmed}); !errors.Is(err, store.ErrSignupClosed) {
		t.Fatalf("confirmed after expiry: %v", err)
	}
	due, err := st.DueSignups(ctx, w, at, at.Add(-24*time.Hour))
	if err != nil || len(due) != 1 || due[0].ID != old.ID {
		t.Fatalf("DueSignups = %v, %v", due, err)
	}
	if wss, _ := st.OpenSignupWorkspaces(ctx); len(wss) != 1 || wss[0] != w {
		t.Fatalf("OpenSignupWorkspaces = %v", wss)
	}
	expired := granted
	expired.Action = consent.Expired
	if err := st.ExpireSignup(ctx, w, old.ID, at, []consent.Entry{expired}); err != nil {
		t.Fatal(err)
	}
	if err := st.ExpireSignup(ctx, w, old.ID, at, nil); !errors.Is(err, store.ErrSignupClosed) {
		t.Fatalf("expired twice: %v", err)
	}
	if err := st.ExpireSignup(ctx, w, sg.ID, at, nil); !errors.Is(err, store.ErrSignupClosed) {
		t.Fatalf("confirmed sign-up expired: %v", err)
	}
	if due, _ := st.DueSignups(ctx, w, at, at); len(due) != 0 {
		t.Fatalf("due after expiry: %v", due)
	}

	// Welcome listing: confirmed before the cutoff and not yet welcomed.
	if un, err := st.UnwelcomedSignups(ctx, w, at); err != nil || len(un) != 0 {
		t.Fatalf("UnwelcomedSignups(before confirmation) = %v, %v", un, err)
	}
	un, err := st.UnwelcomedSignups(ctx, w, at.Add(time.Second))
	if err != nil || len(un) != 1 || un[0].ID != sg.ID || un[0].ConfirmIP != "192.0.2.2" {
		t.Fatalf("UnwelcomedSignups = %v, %v", un, err)
	}
	if err := st.MarkSignupWelcomed(ctx, other, sg.ID, at); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("welcomed from another workspace: %v", err)
	}
	if err := st.MarkSignupWelcomed(ctx, w, sg.ID, at); err != nil {
		t.Fatal(err)
	}
	if un, _ := st.UnwelcomedSignups(ctx, w, at.Add(time.Second)); len(un) != 0 {
		t.Fatalf("welcomed sign-up still listed: %v", un)
	}
	if n, br := verifyLedger(t, st, w); br != nil || n != 4 { // granted, confirmed, granted, expired
		t.Fatalf("ledger after sign-ups: %d entries, break %v", n, br)
	}

	// Signing keys: generated once per workspace and name, never for a lookup.
	if _, err := st.ExistingSigningKey(ctx, w, "doi-link"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("key before generation: %v", err)
	}
	k1, err := st.SigningKey(ctx, w, "doi-link")
	if err != nil || len(k1) != 32 {
		t.Fatalf("SigningKey = %x, %v", k1, err)
	}
	k2, _ := st.SigningKey(ctx, w, "doi-link")
	k3, _ := st.SigningKey(ctx, other, "doi-link")
	if !bytes.Equal(k1, k2) || bytes.Equal(k1, k3) {
		t.Fatal("signing keys: want one stable key per workspace")
	}
}
