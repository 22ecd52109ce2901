package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
)

// testWebhookNonces: a provider webhook's nonce is taken once per workspace and provider; the
// same nonce again is a replay until it expires, after which it is pruned and may be taken
// again; another workspace or provider has its own nonces; a released nonce is taken again
// (the retry of a request whose events failed to be recorded).
func testWebhookNonces(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := ws(t, st, "nonce-a"), ws(t, st, "nonce-b")
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	claim := func(w int64, via, nonce string, now time.Time) bool {
		t.Helper()
		ok, err := st.ClaimWebhookNonce(ctx, w, via, nonce, now, now.Add(10*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !claim(a, "mailgun", "tok1", t0) {
		t.Fatal("a new nonce was refused")
	}
	if claim(a, "mailgun", "tok1", t0.Add(time.Minute)) {
		t.Fatal("the same nonce was taken twice within its window")
	}
	if !claim(b, "mailgun", "tok1", t0) || !claim(a, "ses", "tok1", t0) {
		t.Fatal("another workspace's or provider's nonce of the same value was refused")
	}
	if err := st.ReleaseWebhookNonce(ctx, a, "mailgun", "tok1"); err != nil {
		t.Fatal(err)
	}
	if !claim(a, "mailgun", "tok1", t0.Add(2*time.Minute)) {
		t.Fatal("a released nonce was refused")
	}
	// Past its expiry the row is pruned by the next claim: the nonce is taken again.
	if !claim(a, "mailgun", "tok1", t0.Add(time.Hour)) {
		t.Fatal("an expired nonce was refused")
	}
	if claim(a, "mailgun", "tok1", t0.Add(time.Hour+time.Second)) {
		t.Fatal("the nonce taken after expiry was not remembered")
	}
}
