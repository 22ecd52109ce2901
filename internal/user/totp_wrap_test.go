package user_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/keywrap"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/user"
)

// TestTOTPSecretWrapped: with a secret key, the TOTP key is stored wrapped (listed with the
// other stored secrets), a login with a code still works, and the database does not open
// without the key.
func TestTOTPSecretWrapped(t *testing.T) {
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	text, err := keywrap.Generate()
	if err != nil {
		t.Fatal(err)
	}
	k, err := keywrap.Parse(text)
	if err != nil {
		t.Fatal(err)
	}
	dsn := filepath.Join(t.TempDir(), "wrapped.db")
	st, err := store.Open(ctx, dsn, store.WithSecretKey(k))
	if err != nil {
		t.Fatal(err)
	}
	ws, _ := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
	svc := user.New(st, user.Options{Params: light})
	if _, err := svc.Add(ctx, "dee@example.com", "", "dees long passphrase", ws.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	key, _ := user.NewTOTP("dee@example.com")
	code, _ := totp.GenerateCode(key.Secret(), time.Now())
	if err := svc.EnrolTOTP(ctx, "dee@example.com", key.Secret(), code); err != nil {
		t.Fatal(err)
	}
	secs, err := st.Secrets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, s := range secs {
		if s.Kind == "user-totp" {
			found = true
			if !s.Wrapped || s.KeyID != k.ID() {
				t.Fatalf("TOTP key stored in clear: %+v", s)
			}
		}
	}
	if !found {
		t.Fatalf("no user-totp among the stored secrets: %+v", secs)
	}
	code, _ = totp.GenerateCode(key.Secret(), time.Now())
	if _, _, err := svc.Login(ctx, user.Login{Email: "dee@example.com", Password: "dees long passphrase", Code: code}); err != nil {
		t.Fatalf("login with a wrapped key: %v", err)
	}
	// keys unwrap / wrap rewrite it with the other secrets (its column is totp_secret).
	if n, err := st.UnwrapSecrets(ctx); err != nil || n == 0 {
		t.Fatalf("unwrap: %d %v", n, err)
	}
	if c, err := st.UserCredentials(ctx, "dee@example.com"); err != nil || c.TOTPSecret != key.Secret() {
		t.Fatalf("after unwrap: %v", err)
	}
	if n, err := st.WrapSecrets(ctx); err != nil || n == 0 {
		t.Fatalf("wrap: %d %v", n, err)
	}
	if c, err := st.UserCredentials(ctx, "dee@example.com"); err != nil || c.TOTPSecret != key.Secret() {
		t.Fatalf("after wrap: %v", err)
	}
	st.Close()
	if _, err := store.Open(ctx, dsn); !errors.Is(err, store.ErrSecretKeyNeeded) {
		t.Fatalf("opened without the key: %v", err)
	}
}
