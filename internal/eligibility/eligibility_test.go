package eligibility_test

import (
	"context"
	"github.com/clearlist/clearlist/internal/workspace"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
)

// emptyScreen is a do-not-contact screen with nothing on it (the app's screening index
// gives the real lists; the app's tests screen through it).
type emptyScreen struct{}

func (emptyScreen) Screen(context.Context, int64, bool) (*suppress.Screen, error) {
	return &suppress.Screen{Workspace: suppress.List{Index: suppress.NewIndex(0)},
		Instance: suppress.List{Index: suppress.NewIndex(0)}}, nil
}

// seed stores one contact of a signup-cards source with a granted newsletter consent by
// e-mail, and returns the workspace.
func seed(t *testing.T, st *store.Store, email string) int64 {
	t.Helper()
	ctx := context.Background()
	w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w.ID, Type: "signup-cards"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w.ID, Email: email, EmailCanonical: email,
		Status: contact.StatusActive, FirstSourceID: src.ID}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.AppendConsent(ctx, consent.Entry{WorkspaceID: w.ID, ContactID: c.ID, Purpose: "newsletter", Channel: consent.Email,
		Action: consent.Granted, Basis: consent.BasisConsent, Actor: "test",
		Evidence: consent.Evidence{Timestamp: time.Now().Add(-48 * time.Hour), Wording: "Yes, send me the newsletter"}})
	if err != nil {
		t.Fatal(err)
	}
	return w.ID
}

// TestSingleAndBatchAgree: on both engines the single answer and the batch give the same
// verdict for the same stored contact (one fact assembly), and an unknown address is no
// contact of the workspace.
func TestSingleAndBatchAgree(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ws := seed(t, st, "ann@example.de")
		s := eligibility.New(st, emptyScreen{}, workspace.New(st))
		one, err := s.Eligibility(ctx, ws, "ann@example.de", "newsletter", "email")
		if err != nil || !one.Allowed {
			t.Fatalf("single: %+v, %v", one, err)
		}
		seen := 0
		err = s.Batch(ctx, ws, "newsletter", "email", 0, func(id int64, v *policy.Verdict) error {
			seen++
			var flat policy.Eligibility
			flat.Flatten(v)
			if id != one.ContactID || flat.Allowed != one.Allowed || flat.Basis != one.Basis || len(flat.Reasons) != len(one.Reasons) {
				t.Errorf("batch %d: %+v; single %+v", id, flat, one)
			}
			return nil
		})
		if err != nil || seen != 1 {
			t.Fatalf("batch: %v after %d contacts", err, seen)
		}
		if _, err := s.Eligibility(ctx, ws, "nobody@example.de", "newsletter", "email"); err == nil {
			t.Fatal("an address that is no contact was answered")
		}
	})
}

// TestEvaluateAllocs: once its caches are warm, assembling the facts of a contact and
// evaluating them allocates nothing, as a campaign's batch needs.
func TestEvaluateAllocs(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	ws := seed(t, st, "ann@gmail.com")
	ev, err := eligibility.New(st, emptyScreen{}, workspace.New(st)).Prepare(ctx, ws, "newsletter", "email", true)
	if err != nil {
		t.Fatal(err)
	}
	var row eligibility.Row
	err = st.EachEligibility(ctx, ws, ev.Query(0, 0), func(r *eligibility.Row) error {
		row = *r
		row.Email, row.Phone, row.Attrs = append([]byte(nil), r.Email...), append([]byte(nil), r.Phone...), append([]byte(nil), r.Attrs...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	row.Phone = nil // the phone's region is parsed per contact; the country attribute path is the hot one
	row.Attrs = []byte(`{"country":"DE","customer":true,"last_purchase":"2026-01-02"}`)
	var v policy.Verdict
	if err := ev.Evaluate(ctx, &row, &v); err != nil || !v.Allowed {
		t.Fatalf("evaluate: %v %+v", err, v)
	}
	if n := testing.AllocsPerRun(200, func() { ev.Evaluate(ctx, &row, &v) }); n != 0 {
		t.Fatalf("evaluate allocates %v times per contact", n)
	}
}
