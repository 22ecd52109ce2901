package storetest

import (
	"context"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testContactFields: country and contact_kind go in through the batch writer (a row without
// a value leaves the stored one alone, a new value updates it) and through contact writes,
// and come back from contact reads and both eligibility reads.
func testContactFields(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "fields")
	src := source(t, st, w)
	b := contact.Batch{WorkspaceID: w, SourceID: src.ID, OnConflict: contact.ConflictUpdate, Rows: rows(3, nil)}
	b.Rows[0].Country, b.Rows[0].Kind = "GB", contact.KindCorporate
	b.Rows[1].Country = "US"
	if res := writeBatch(t, st, b); res != (contact.BatchResult{Inserted: 3}) {
		t.Fatalf("first write: %+v", res)
	}
	b.Rows = rows(3, nil) // no values: nothing changes
	b.Rows[2].Kind = contact.KindPersonal
	if res := writeBatch(t, st, b); res != (contact.BatchResult{Updated: 1, Unchanged: 2}) {
		t.Fatalf("second write: %+v", res)
	}
	b.Rows = rows(1, nil)
	b.Rows[0].Country = "IE"
	if res := writeBatch(t, st, b); res != (contact.BatchResult{Updated: 1}) {
		t.Fatalf("third write: %+v", res)
	}
	want := map[string][2]string{"user0@example.com": {"IE", "corporate"}, "user1@example.com": {"US", ""},
		"user2@example.com": {"", "personal"}}
	for email, f := range want {
		c, err := st.ContactByEmail(ctx, w, email)
		if err != nil || c.Country != f[0] || string(c.Kind) != f[1] {
			t.Errorf("%s = %q/%q, %v; want %v", email, c.Country, c.Kind, err, f)
		}
		r, err := st.EligibilityOf(ctx, w, email, "newsletter", "email")
		if err != nil || string(r.Country) != f[0] || string(r.Kind) != f[1] {
			t.Errorf("EligibilityOf %s = %q/%q, %v; want %v", email, r.Country, r.Kind, err, f)
		}
	}
	n := 0
	if err := st.EachEligibility(ctx, w, store.EligibilityQuery{Purpose: "newsletter", Channel: "email"}, func(r *store.EligibilityRow) error {
		if f := want[string(r.Email)]; string(r.Country) != f[0] || string(r.Kind) != f[1] {
			t.Errorf("EachEligibility %s = %q/%q; want %v", r.Email, r.Country, r.Kind, f)
		}
		n++
		return nil
	}); err != nil || n != 3 {
		t.Fatalf("EachEligibility: %d rows, %v", n, err)
	}

	// A contact write sets and changes them, and the audit trail says so.
	c, err := st.WriteContact(ctx, contact.Write{Contact: contact.Contact{WorkspaceID: w, Email: "kim@example.com",
		EmailCanonical: "kim@example.com", Country: "DE", Kind: contact.KindSoleTrader}, Source: &src})
	if err != nil || c.Country != "DE" || c.Kind != contact.KindSoleTrader {
		t.Fatalf("create: %+v, %v", c, err)
	}
	c.Country, c.Kind = "AT", contact.KindUnknown
	if c, err = st.WriteContact(ctx, contact.Write{Contact: c}); err != nil || c.Country != "AT" || c.Kind != contact.KindUnknown {
		t.Fatalf("update: %+v, %v", c, err)
	}
	es, err := st.AuditEntries(ctx, w, audit.Filter{Entity: "contact", Limit: 1})
	if err != nil || len(es) != 1 || !hasChange(es[0], audit.Diff("country", "DE", "AT")) ||
		!hasChange(es[0], audit.Diff("contact_kind", "sole_trader", "")) {
		t.Fatalf("audit of the update: %+v, %v", es, err)
	}
}

func hasChange(e audit.Entry, want audit.Change) bool {
	for _, c := range e.Changes {
		if c == want {
			return true
		}
	}
	return false
}
