package app

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/policy"
)

// TestImpliedConsentLapse: CASL implied consent from a purchase runs out after two years;
// the job records the lapse as expired entries once, leaves express consent and other
// jurisdictions alone, and a later purchase gives implied consent anew despite the entry.
func TestImpliedConsentLapse(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		declare(t, a, "country", "last_purchase")
		now := time.Now().UTC()
		old, recent := now.AddDate(-3, 0, 0).Format(time.DateOnly), now.AddDate(0, -1, 0).Format(time.DateOnly)
		load := func(rows string) {
			t.Helper()
			importFile(t, a, writeFile(t, "ca.csv", []byte("email,country,last_purchase\n"+rows)), func(r *contact.ImportRequest) {
				r.List, r.OnConflict = "", contact.ConflictUpdate
				r.Source = contact.Source{Type: "crm-export", Evidence: ev(eligibility.EvidenceWrittenPermission, "yes")}
			})
		}
		load(fmt.Sprintf("lapsed@example.ca,CA,%s\nfresh@example.ca,CA,%s\nexpress@example.ca,CA,%s\nde@example.de,DE,%s\n",
			old, recent, old, old))
		get := func(email string) contact.Contact {
			c, err := a.st.ContactByEmail(ctx, a.Workspace.ID, email)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		allowed := func(email string) policy.Eligibility {
			e, err := a.Elig.Eligibility(ctx, a.Workspace.ID, email, "newsletter", "email")
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		ledger(t, a, get("express@example.ca"), "newsletter", consent.Email, "g")
		if e := allowed("fresh@example.ca"); !e.Allowed || !hasReason(e, "casl-01") {
			t.Fatalf("a purchase a month ago in CA gives implied consent: %+v", e)
		}
		if e := allowed("lapsed@example.ca"); e.Allowed {
			t.Fatalf("a purchase three years ago gives no implied consent: %+v", e)
		}

		n, err := a.Consents.LapseImplied(ctx, a.Workspace.ID, now)
		if err != nil || n == 0 {
			t.Fatalf("LapseImplied = %d, %v; want entries for the lapsed contact", n, err)
		}
		expired := func(email string) []consent.Entry {
			es, err := a.st.ConsentsForContact(ctx, a.Workspace.ID, get(email).ID)
			if err != nil {
				t.Fatal(err)
			}
			var out []consent.Entry
			for _, e := range es {
				if e.Action == consent.Expired && e.Basis == consent.BasisImpliedConsent {
					out = append(out, e)
				}
			}
			return out
		}
		got, other := expired("lapsed@example.ca"), expired("express@example.ca")
		if len(got) == 0 || len(got) != len(other)+1 || n != len(got)+len(other) {
			t.Fatalf("%d entries written, %d for the lapsed contact and %d for the one with express consent for one purpose and channel",
				n, len(got), len(other))
		}
		found := false
		for _, e := range got {
			if e.Purpose == "newsletter" && e.Channel == consent.Email {
				found = true
				if !strings.Contains(e.Evidence.DocumentRef, old) || !strings.Contains(e.Evidence.DocumentRef, "casl-01") {
					t.Errorf("evidence %q should name the purchase date and the rule", e.Evidence.DocumentRef)
				}
				if want := now.AddDate(-3, 0, 0).Truncate(24*time.Hour).AddDate(2, 0, 0); !e.Evidence.Timestamp.Equal(want) {
					t.Errorf("lapse recorded at %v, want %v", e.Evidence.Timestamp, want)
				}
			}
		}
		if !found {
			t.Fatalf("no newsletter/email lapse among %+v", got)
		}
		for _, email := range []string{"fresh@example.ca", "express@example.ca", "de@example.de"} {
			for _, e := range expired(email) {
				if email != "express@example.ca" || (e.Purpose == "newsletter" && e.Channel == consent.Email) {
					t.Errorf("%s: unexpected lapse entry %+v", email, e)
				}
			}
		}
		if e := allowed("express@example.ca"); !e.Allowed {
			t.Fatalf("express consent stands: %+v", e)
		}
		if n, err := a.Consents.LapseImplied(ctx, a.Workspace.ID, now); err != nil || n != 0 {
			t.Fatalf("second run = %d, %v; a lapse is recorded once", n, err)
		}

		// A new purchase gives implied consent again; its own lapse is recorded in turn.
		load(fmt.Sprintf("lapsed@example.ca,CA,%s\n", recent))
		if e := allowed("lapsed@example.ca"); !e.Allowed || !hasReason(e, "casl-01") {
			t.Fatalf("a new purchase gives implied consent despite the old lapse: %+v", e)
		}
		if n, err := a.Consents.LapseImplied(ctx, a.Workspace.ID, now); err != nil || n != 0 {
			t.Fatalf("run before the new lapse = %d, %v", n, err)
		}
		later := now.AddDate(3, 0, 0)
		n2, err := a.Consents.LapseImplied(ctx, a.Workspace.ID, later)
		if err != nil || n2 == 0 {
			t.Fatalf("run after the new lapse = %d, %v", n2, err)
		}
		// The new purchase's lapse and the fresh contact's; not again the express one's.
		if all := expired("lapsed@example.ca"); n2 != 2*len(got) || len(all) != 2*len(got) {
			t.Fatalf("three years on: %d entries (%d in all for the contact); want %d, %d", n2, len(all), 2*len(got), 2*len(got))
		}
	})
}
