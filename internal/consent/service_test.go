package consent_test

import (
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestService: on both engines the service records, shows and verifies a contact's ledger,
// tells an unknown contact from an unknown source, and keeps legitimate-interest records.
func TestService(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := t.Context()
		w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
		if err != nil {
			t.Fatal(err)
		}
		src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w.ID, Type: "signup-cards"})
		if err != nil {
			t.Fatal(err)
		}
		c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w.ID, Email: "Ann@Example.de", EmailCanonical: "ann@example.de",
			Status: contact.StatusActive, FirstSourceID: src.ID}, nil)
		if err != nil {
			t.Fatal(err)
		}
		s := consent.New(st, nil)
		grant := consent.Entry{WorkspaceID: w.ID, Purpose: "newsletter", Channel: consent.Email, Action: consent.Granted,
			Basis: consent.BasisConsent, Actor: "test", Evidence: consent.Evidence{Wording: "Yes", Timestamp: time.Now()}}

		bad := grant
		bad.ContactID, bad.Action = 999999, "nope"
		if _, err := s.Record(ctx, bad); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("unknown contact with an invalid entry: %v; want not found first", err)
		}
		bad.ContactID, bad.Action, bad.SourceID = c.ID, consent.Granted, 999999
		if _, err := s.Record(ctx, bad); !errors.Is(err, consent.ErrUnknownSource) || !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("unknown source: %v", err)
		}
		if _, err := s.RecordByEmail(ctx, "ann@example.de", grant); err != nil {
			t.Fatal(err)
		}
		withdraw := grant
		withdraw.ContactID, withdraw.Action = c.ID, consent.Withdrawn
		if _, err := s.Record(ctx, withdraw); err != nil {
			t.Fatal(err)
		}
		h, err := s.HistoryByEmail(ctx, w.ID, "ann@example.de")
		if err != nil || h.Subject.ID != c.ID || h.Subject.Email != "Ann@Example.de" || len(h.Entries) != 2 ||
			len(h.States) != 1 || h.States[0].State != consent.StateWithdrawn {
			t.Fatalf("history: %+v, %v", h, err)
		}
		if _, err := s.HistoryByEmail(ctx, w.ID, "bob@example.de"); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("history of no contact: %v", err)
		}
		if v, err := s.Verify(ctx, w.ID); err != nil || !v.Intact || v.Entries != 2 {
			t.Fatalf("verify: %+v, %v", v, err)
		}

		if ls, err := s.LIAs(ctx, w.ID); err != nil || ls == nil || len(ls) != 0 {
			t.Fatalf("no assessments: %#v, %v", ls, err)
		}
		if _, err := s.SetLIA(ctx, consent.LIA{WorkspaceID: w.ID, Purpose: "newsletter"}); !errors.Is(err, consent.ErrInvalidLI) {
			t.Fatalf("empty assessment: %v", err)
		}
		if _, _, err := s.SetLIReasonByEmail(ctx, "bob@example.de", consent.LIReason{WorkspaceID: w.ID,
			Purpose: "newsletter", Reason: "buyer"}); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("reason for no contact: %v", err)
		}
		r, sub, err := s.SetLIReasonByEmail(ctx, "ann@example.de", consent.LIReason{WorkspaceID: w.ID,
			Purpose: "newsletter", Reason: "buyer", RecordedBy: "test"})
		if err != nil || r.ContactID != c.ID || sub.Canonical != "ann@example.de" {
			t.Fatalf("reason: %+v %+v %v", r, sub, err)
		}
		if err := s.AddPurpose(ctx, w.ID, consent.Purpose{Name: "newsletter", Marketing: true}); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("purpose taken: %v", err)
		}
	})
}
