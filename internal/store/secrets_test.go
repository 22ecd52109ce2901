package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/keywrap"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

func newKey(t *testing.T) *keywrap.Key {
	t.Helper()
	text, err := keywrap.Generate()
	if err != nil {
		t.Fatal(err)
	}
	k, err := keywrap.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// secrets reads every secret through the store's ordinary readers.
type secrets struct{ doi, other, instance, hook, claimed []byte }

func readSecrets(t *testing.T, st *store.Store) secrets {
	t.Helper()
	ctx := context.Background()
	var s secrets
	var err error
	if s.doi, err = st.ExistingSigningKey(ctx, 1, "doi-link"); err != nil {
		t.Fatalf("signing key: %v", err)
	}
	if s.other, err = st.ExistingSigningKey(ctx, 2, "doi-link"); err != nil {
		t.Fatalf("signing key of workspace 2: %v", err)
	}
	if s.instance, err = st.InstanceKey(ctx, "suppress"); err != nil {
		t.Fatalf("instance key: %v", err)
	}
	hs, err := st.Webhooks(ctx, 1)
	if err != nil || len(hs) != 1 {
		t.Fatalf("webhooks = %v, %v", hs, err)
	}
	s.hook = hs[0].Secret
	_, claimed, err := st.ClaimDeliveries(ctx, time.Now().UTC().Add(time.Hour), 0, 10)
	if err != nil || len(claimed) == 0 {
		t.Fatalf("claim deliveries = %v, %v", claimed, err)
	}
	s.claimed = claimed[0].Secret
	return s
}

func openWith(dsn string, k *keywrap.Key) (*store.Store, error) {
	var opts []store.Option
	if k != nil {
		opts = append(opts, store.WithSecretKey(k))
	}
	return store.Open(context.Background(), dsn, opts...)
}

func mustOpen(t *testing.T, dsn string, k *keywrap.Key) *store.Store {
	t.Helper()
	st, err := openWith(dsn, k)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return st
}

// rawSecrets returns every stored secret value as the database holds it.
func rawSecrets(t *testing.T, st *store.Store) [][]byte {
	t.Helper()
	var out [][]byte
	for _, table := range []string{"signing_keys", "instance_keys", "webhooks"} {
		rows, err := st.DB().Query(`SELECT secret FROM ` + table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var v []byte
			rows.Scan(&v)
			out = append(out, v)
		}
		rows.Close()
	}
	return out
}

// TestSecretKeyWrapsStoredKeys: a clear database opened with a key works; keys wrap wraps
// its secrets; reopened with the key every reader sees the same secrets, without it or with
// another key Open fails saying what to give and nothing is lost; a wrapped value moved to
// another row does not open; unwrapping restores the clear database.
func TestSecretKeyWrapsStoredKeys(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.DSN(t)
			st := mustOpen(t, dsn, nil)
			if _, err := st.EnsureWorkspace(ctx, "second"); err != nil {
				t.Fatal(err)
			}
			for _, ws := range []int64{1, 2} {
				if _, err := st.SigningKey(ctx, ws, "doi-link"); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.CreateWebhook(ctx, 1, "http://127.0.0.1:1/hook"); err != nil {
				t.Fatal(err)
			}
			h := sha256.Sum256([]byte("a@example.com"))
			at := time.Now().UTC().Add(-time.Hour)
			if _, _, err := st.AddSuppressions(ctx, 1, []store.Suppression{{Kind: "email", Value: "a@example.com", Hash: h[:],
				Reason: "unsubscribe", ChannelIn: "email", RecordedBy: "test", ReceivedAt: at, Deadline: at.Add(48 * time.Hour), DeadlineRule: "dl-test"}}, ""); err != nil {
				t.Fatal(err)
			}
			clear := readSecrets(t, st)
			if !bytes.Equal(clear.hook, clear.claimed) || len(clear.doi) != 32 {
				t.Fatalf("clear secrets look wrong: %+v", clear)
			}
			st.Close()

			key := newKey(t)
			st = mustOpen(t, dsn, key)
			if got := readSecrets(t, st); !equalSecrets(got, clear) {
				t.Fatal("a clear database opened with a key reads other secrets")
			}
			n, err := st.WrapSecrets(ctx)
			if err != nil || n != 4 {
				t.Fatalf("WrapSecrets = %d, %v; want 4 (two signing keys, the instance key, the webhook)", n, err)
			}
			secs, err := st.Secrets(ctx)
			if err != nil || len(secs) != 4 {
				t.Fatalf("Secrets = %v, %v", secs, err)
			}
			for _, s := range secs {
				if !s.Wrapped || s.KeyID != key.ID() {
					t.Errorf("%s %s not wrapped with %s: %+v", s.Kind, s.Name, key.ID(), s)
				}
			}
			for _, v := range rawSecrets(t, st) {
				for _, c := range [][]byte{clear.doi, clear.other, clear.instance, clear.hook} {
					if bytes.Contains(v, c) {
						t.Fatal("a clear secret is still in the database")
					}
				}
			}
			if got := readSecrets(t, st); !equalSecrets(got, clear) {
				t.Fatal("wrapped secrets read back differently")
			}
			// A key made while the store has a key is stored wrapped.
			fresh, err := st.SigningKey(ctx, 1, "fresh")
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range rawSecrets(t, st) {
				if bytes.Contains(v, fresh) || !keywrap.IsWrapped(v) {
					t.Fatalf("a new secret was stored in clear: %x", v)
				}
			}
			st.Close()

			_, err = openWith(dsn, nil)
			if !errors.Is(err, store.ErrSecretKeyNeeded) || !strings.Contains(err.Error(), "CLEARLIST_SECRET_KEY") ||
				!strings.Contains(err.Error(), key.ID()) {
				t.Fatalf("open without the key: %v; want ErrSecretKeyNeeded naming CLEARLIST_SECRET_KEY and key %s", err, key.ID())
			}
			_, err = openWith(dsn, newKey(t))
			if !errors.Is(err, store.ErrSecretKeyNeeded) || !strings.Contains(err.Error(), "the key given is another") {
				t.Fatalf("open with another key: %v", err)
			}

			st = mustOpen(t, dsn, key)
			if got := readSecrets(t, st); !equalSecrets(got, clear) {
				t.Fatal("after failed opens the secrets changed")
			}
			// Swap: workspace 1's wrapped signing key copied onto workspace 2's row.
			if _, err := st.DB().Exec(`UPDATE signing_keys SET secret = (SELECT secret FROM signing_keys WHERE workspace_id = 1 AND name = 'doi-link')
				WHERE workspace_id = 2 AND name = 'doi-link'`); err != nil {
				t.Fatal(err)
			}
			if _, err := st.ExistingSigningKey(ctx, 2, "doi-link"); !errors.Is(err, store.ErrSecretKeyNeeded) {
				t.Fatalf("a wrapped key moved to another workspace opened: %v", err)
			}
			st.Close()
			if _, err := openWith(dsn, key); !errors.Is(err, store.ErrSecretKeyNeeded) || !strings.Contains(err.Error(), "copied from another row") {
				t.Fatalf("open with a swapped value: %v", err)
			}
		})
	}
}

// TestUnwrapSecrets: unwrapping with the key gives back a clear database that opens without it.
func TestUnwrapSecrets(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.DSN(t)
			key := newKey(t)
			st := mustOpen(t, dsn, key)
			want, err := st.SigningKey(ctx, 1, "doi-link")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.WrapSecrets(ctx); err != nil {
				t.Fatal(err)
			}
			if n, err := st.UnwrapSecrets(ctx); err != nil || n != 1 {
				t.Fatalf("UnwrapSecrets = %d, %v", n, err)
			}
			st.Close()
			st = mustOpen(t, dsn, nil)
			defer st.Close()
			got, err := st.ExistingSigningKey(ctx, 1, "doi-link")
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("after unwrap: %x, %v; want %x", got, err, want)
			}
			if _, err := st.WrapSecrets(ctx); err == nil {
				t.Error("WrapSecrets without a key succeeded")
			}
		})
	}
}

func equalSecrets(a, b secrets) bool {
	return bytes.Equal(a.doi, b.doi) && bytes.Equal(a.other, b.other) && bytes.Equal(a.instance, b.instance) &&
		bytes.Equal(a.hook, b.hook) && bytes.Equal(a.claimed, b.claimed)
}
