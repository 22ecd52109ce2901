package app

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestDoubleOptInEligibility: a sign-up is not mailable for marketing until it is confirmed,
// is mailable once confirmed, and an expired one is not.
func TestDoubleOptInEligibility(t *testing.T) {
	ctx := context.Background()
	e := newDOIEnv(t, storetest.SQLiteDSN(t), 1000)
	ws := e.a.Workspace.ID
	allowed := func(email string) bool {
		t.Helper()
		v, err := e.a.Elig.Eligibility(ctx, ws, email, "newsletter", "email")
		if err != nil {
			t.Fatal(err)
		}
		return v.Allowed
	}
	for _, addr := range []string{"yes@example.de", "never@example.de"} {
		if code, body := e.postJSON(t, "default", jsonSignup(addr, "newsletter")); code != 202 {
			t.Fatalf("subscribe %s: %d %s", addr, code, body)
		}
		if allowed(addr) {
			t.Fatalf("%s allowed before confirming", addr)
		}
	}
	if code, _ := e.postForm(t, "/confirm", url.Values{"token": {tokenOf(t, e.mail.link(t, "yes@example.de"))}}, "ua"); code != 200 {
		t.Fatalf("confirm: %d", code)
	}
	if !allowed("yes@example.de") {
		t.Fatal("confirmed sign-up not allowed")
	}
	if _, err := e.a.Signups.Expire(ctx, ws, signup.DefaultWindow, time.Now().UTC().Add(8*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if allowed("never@example.de") || !allowed("yes@example.de") {
		t.Fatal("after expiry: the unconfirmed sign-up must stay refused and the confirmed one allowed")
	}
}
