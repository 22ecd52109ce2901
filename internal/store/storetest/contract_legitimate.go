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

// testLegitimateInterest covers assessments, per-contact reasons and the eligibility stream
// that reads them with the ledger.
func testLegitimateInterest(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "li"), ws(t, st, "li-other")
	src := source(t, st, w)
	l := store.LIA{WorkspaceID: w, Purpose: "product-updates", PurposeText: "tell buyers about tools",
		Necessity: "they choose tools", Balancing: "low intrusion", ApprovedBy: "DPO"}
	if _, err := st.SetLIA(ctx, l); err != nil {
		t.Fatal(err)
	}
	l.ApprovedBy = "DPO Anna"
	if _, err := st.SetLIA(ctx, l); err != nil { // replaces
		t.Fatal(err)
	}
	got, err := st.LIAFor(ctx, w, "product-updates")
	if err != nil || got.ApprovedBy != "DPO Anna" || !got.Approved() || got.PurposeText != l.PurposeText {
		t.Fatalf("LIAFor = %+v, %v", got, err)
	}
	if ls, err := st.LIAs(ctx, w); err != nil || len(ls) != 1 {
		t.Fatalf("LIAs = %+v, %v", ls, err)
	}
	if _, err := st.LIAFor(ctx, other, "product-updates"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another workspace's assessment: %v", err)
	}
	bad := l
	bad.Purpose = "nope"
	if _, err := st.SetLIA(ctx, bad); !errors.Is(err, consent.ErrInvalid) {
		t.Fatalf("unknown purpose: %v", err)
	}
	bad = l
	bad.Necessity = " "
	if _, err := st.SetLIA(ctx, bad); !errors.Is(err, store.ErrInvalidLI) {
		t.Fatalf("empty necessity: %v", err)
	}

	a, err := st.CreateContact(ctx, newContact(w, src.ID, "a@example.org"), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateContact(ctx, newContact(w, src.ID, "b@example.org"), nil)
	if err != nil {
		t.Fatal(err)
	}
	r := store.LIReason{WorkspaceID: w, ContactID: a.ID, Purpose: "product-updates", Reason: "buyer", RecordedBy: "test"}
	if _, err := st.SetLIReason(ctx, r); err != nil {
		t.Fatal(err)
	}
	if got, err := st.LIReasonFor(ctx, w, a.ID, "product-updates"); err != nil || got.Reason != "buyer" {
		t.Fatalf("LIReasonFor = %+v, %v", got, err)
	}
	r.WorkspaceID = other
	if _, err := st.SetLIReason(ctx, r); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("reason for another workspace's contact: %v", err)
	}

	// The stream: the latest entry of the purpose and channel, its source, else the first source.
	src2, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w, Type: "web-form-double-opt-in"})
	if err != nil {
		t.Fatal(err)
	}
	e := consentEntry(w, b.ID, consent.Granted)
	e.Purpose = "product-updates"
	appendConsent(t, st, e)
	e.Action, e.SourceID = consent.Confirmed, src2.ID
	e.Basis, e.Evidence.Prechecked = consent.BasisDoubleOptIn, true // the latest entry's pre-ticked box is read
	appendConsent(t, st, e)
	e.Channel, e.Action, e.SourceID, e.Evidence.Prechecked = consent.SMS, consent.Withdrawn, 0, false
	appendConsent(t, st, e)
	type row struct {
		action     string
		source     int64
		reason     bool
		prechecked bool
	}
	seen := map[int64]row{}
	err = st.EachEligibility(ctx, w, store.EligibilityQuery{Purpose: "product-updates", Channel: "email"}, func(r *store.EligibilityRow) error {
		src := r.Latest.SourceID
		if src == 0 {
			src = r.FirstSourceID
		}
		seen[r.ContactID] = row{r.Latest.Action, src, r.LIReason, r.Latest.Prechecked}
		if r.Latest.Action != "" && (r.Latest.RecordedAt.IsZero() || !r.Latest.EvidenceAt.Equal(consentAt.Truncate(time.Microsecond))) {
			t.Errorf("contact %d: entry times %+v, want evidence at %v", r.ContactID, r.Latest, consentAt)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[int64]row{a.ID: {"", src.ID, true, false}, b.ID: {"confirmed", src2.ID, false, true}}
	if len(seen) != 2 || seen[a.ID] != want[a.ID] || seen[b.ID] != want[b.ID] {
		t.Fatalf("stream = %+v, want %+v", seen, want)
	}
	if one, err := st.EligibilityOf(ctx, w, b.EmailCanonical, "product-updates", "email"); err != nil || !one.Latest.Prechecked {
		t.Fatalf("EligibilityOf of a pre-ticked entry: %+v, %v", one.Latest, err)
	}
	if one, err := st.EligibilityOf(ctx, w, b.EmailCanonical, "product-updates", "sms"); err != nil || one.Latest.Prechecked {
		t.Fatalf("EligibilityOf of an entry without the flag: %+v, %v", one.Latest, err)
	}
	n := 0
	st.EachEligibility(ctx, other, store.EligibilityQuery{Purpose: "product-updates", Channel: "email"}, func(*store.EligibilityRow) error {
		n++
		return nil
	})
	if n != 0 {
		t.Fatalf("another workspace streamed %d contacts", n)
	}
}
