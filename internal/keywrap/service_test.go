package keywrap_test

import (
	"testing"

	"github.com/clearlist/clearlist/internal/keywrap"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestStoredKeysService: without a key nothing can be wrapped; with one, Wrap wraps every
// stored key, Status says so, and Unwrap puts them back in clear.
func TestStoredKeysService(t *testing.T) {
	for _, e := range storetest.Engines() {
		t.Run(e.Name, func(t *testing.T) {
			ctx := t.Context()
			dsn := e.DSN(t)
			st, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.SigningKey(ctx, 1, "doi-link"); err != nil {
				t.Fatal(err)
			}
			if _, err := keywrap.NewService(st, nil).Wrap(ctx); err == nil {
				t.Fatal("Wrap without a key did not say how to give one")
			}
			if n, err := keywrap.NewService(st, nil).WrapLeftInClear(ctx); n != 0 || err != nil {
				t.Fatalf("WrapLeftInClear without a key = %d, %v; want 0, nil (serve without a key)", n, err)
			}
			st.Close()

			text, err := keywrap.Generate()
			if err != nil {
				t.Fatal(err)
			}
			key, err := keywrap.Parse(text)
			if err != nil {
				t.Fatal(err)
			}
			st, err = store.Open(ctx, dsn, store.WithSecretKey(key))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			svc := keywrap.NewService(st, key)
			n, err := svc.Wrap(ctx)
			if err != nil || n == 0 {
				t.Fatalf("Wrap = %d, %v", n, err)
			}
			status, err := svc.Status(ctx)
			if err != nil || status.Wrapped != len(status.Secrets) || status.Wrapped != n || status.Key != key {
				t.Fatalf("after Wrap: %+v, %v", status, err)
			}
			if m, err := svc.Unwrap(ctx); err != nil || m != n {
				t.Fatalf("Unwrap = %d, %v; want %d", m, err, n)
			}
			if status, err = svc.Status(ctx); err != nil || status.Wrapped != 0 {
				t.Fatalf("after Unwrap: %+v, %v", status, err)
			}
			// What serve does when it starts with a key: wrap what is in clear, once.
			if m, err := svc.WrapLeftInClear(ctx); err != nil || m != n {
				t.Fatalf("WrapLeftInClear = %d, %v; want %d", m, err, n)
			}
			if m, err := svc.WrapLeftInClear(ctx); err != nil || m != 0 {
				t.Fatalf("WrapLeftInClear again = %d, %v; want 0", m, err)
			}
		})
	}
}
