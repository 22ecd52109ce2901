package storetest

import (
	"context"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
)

// testPutSigningKey: a key put under a name (a DKIM key) reads back, replaces the earlier
// one, is listed with the stored secrets, and each put writes one audit entry naming the
// key and never its value.
func testPutSigningKey(t *testing.T, st *store.Store) {
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "op", Name: "clearlist keys dkim generate"})
	w := ws(t, st, "put-signing-key")
	for _, secret := range []string{`{"domain":"a.example"}`, `{"domain":"b.example"}`} {
		if err := st.PutSigningKey(ctx, w, "dkim-rsa", []byte(secret), "dkim.generate", audit.Set("domain", "x")); err != nil {
			t.Fatal(err)
		}
		got, err := st.ExistingSigningKey(ctx, w, "dkim-rsa")
		if err != nil || string(got) != secret {
			t.Fatalf("read back %q, %v; want %q", got, err, secret)
		}
	}
	secs, err := st.Secrets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, s := range secs {
		if s.Workspace == w && s.Name == "dkim-rsa" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the key is listed %d times among the stored secrets, want 1", n)
	}
	es, err := st.AuditEntries(context.Background(), w, audit.Filter{Entity: "signing_key", Limit: 10})
	if err != nil || len(es) != 2 || es[0].Action != "dkim.generate" || es[0].EntityID != "dkim-rsa" {
		t.Fatalf("audit entries %+v, %v", es, err)
	}
}
