package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
)

// testVerifications: results are kept per address and copied onto the contact; addresses
// never checked or checked too long ago are due; settings round-trip.
func testVerifications(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "verify")
	src := source(t, st, w)
	for _, e := range []string{"ann@example.com", "bob@example.com", "cy@example.com"} {
		if _, err := st.CreateContact(ctx, newContact(w, src.ID, e), nil); err != nil {
			t.Fatal(err)
		}
	}
	old := time.Now().Add(-100 * 24 * time.Hour).UTC().Truncate(time.Second)
	err := st.SaveVerifications(ctx, w, []store.Verification{
		{Address: "ann@example.com", Verdict: "undeliverable", Reasons: []string{"null-mx"}, MX: []string{}, CheckedAt: time.Now()},
		{Address: "bob@example.com", Verdict: "risky", Reasons: []string{"role", "free"}, CheckedAt: old},
		{Address: "nobody@example.com", Verdict: "deliverable", Reasons: []string{}, MX: []string{"mx1.example.com", "mx2.example.com"}, CheckedAt: old},
	})
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.VerificationOf(ctx, w, "bob@example.com")
	if err != nil || v.Verdict != "risky" || len(v.Reasons) != 2 || !v.CheckedAt.Equal(old) {
		t.Fatalf("VerificationOf = %+v, %v", v, err)
	}
	if v, _ := st.VerificationOf(ctx, w, "nobody@example.com"); len(v.MX) != 2 {
		t.Fatalf("mx = %v", v.MX)
	}
	if _, err := st.VerificationOf(ctx, ws(t, st, "verify-other"), "bob@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another workspace's result: %v", err)
	}
	r, err := st.EligibilityOf(ctx, w, "ann@example.com", "newsletter", "email")
	if err != nil || string(r.EmailVerdict) != "undeliverable" {
		t.Fatalf("verdict on the contact = %q, %v", r.EmailVerdict, err)
	}
	var due []string
	if err := st.EachAddressDue(ctx, w, 0, time.Now().Add(-90*24*time.Hour), func(a string) error {
		due = append(due, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(due) != 2 || due[0] != "bob@example.com" || due[1] != "cy@example.com" {
		t.Fatalf("due = %v; want bob (100 days old) and cy (never)", due)
	}
	if _, ok, err := st.Setting(ctx, w, "verify.exclude_risky"); ok || err != nil {
		t.Fatalf("unset setting: %v %v", ok, err)
	}
	for _, v := range []string{"true", "false"} {
		if err := st.SetSetting(ctx, w, "verify.exclude_risky", v); err != nil {
			t.Fatal(err)
		}
		if got, ok, err := st.Setting(ctx, w, "verify.exclude_risky"); !ok || err != nil || got != v {
			t.Fatalf("setting = %q %v %v", got, ok, err)
		}
	}
}
