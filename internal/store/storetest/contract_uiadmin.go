package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/user"
)

// testUIAdmin: the store methods of the admin UI's settings and account pages — several
// settings in one transaction, TOTP with recovery codes (each signs in once), and moving a
// session to another workspace.
func testUIAdmin(t *testing.T, st *store.Store) {
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "contract"})
	w1, w2 := ws(t, st, "uiadmin-a"), ws(t, st, "uiadmin-b")

	if err := st.SetSettings(ctx, w1, map[string]string{"sender.name": "Acme", "tracking.opens": "true"}); err != nil {
		t.Fatal(err)
	}
	if v, ok, err := st.Setting(ctx, w1, "sender.name"); v != "Acme" || !ok || err != nil {
		t.Fatalf("sender.name = %q %v %v", v, ok, err)
	}
	if _, ok, _ := st.Setting(ctx, w2, "tracking.opens"); ok {
		t.Fatal("a setting leaked into another workspace")
	}
	es, err := st.AuditEntries(ctx, w1, audit.Filter{Entity: "setting"})
	if err != nil || len(es) != 2 || es[0].Action != "setting.set" {
		t.Fatalf("settings audited: %+v, %v", es, err)
	}

	u, err := st.CreateUser(ctx, user.NewUser{Email: "tia@example.com", PasswordHash: "$argon2id$x", WorkspaceID: w1, Role: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetUserRole(ctx, u.ID, w2, "marketer"); err != nil {
		t.Fatal(err)
	}
	r1, r2 := []byte("recovery-hash-1"), []byte("recovery-hash-2")
	if err := st.EnableUserTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP", [][]byte{r1, r2}); err != nil {
		t.Fatal(err)
	}
	if err := st.EnableUserTOTP(ctx, u.ID+1000, "JBSWY3DPEHPK3PXP", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("TOTP of an unknown account: %v", err)
	}
	if c, _ := st.UserCredentials(ctx, "tia@example.com"); c.TOTPSecret != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("secret: %+v", c)
	}
	if n, err := st.RecoveryCodesLeft(ctx, u.ID); n != 2 || err != nil {
		t.Fatalf("codes left: %d %v", n, err)
	}
	at := time.Now().UTC().Truncate(time.Second)
	h := []byte("uiadmin-h1-0123456789abcdef01234")
	login := func(hash, rc []byte) error {
		return st.StartSession(ctx, user.NewSession{IDHash: hash, UserID: u.ID, WorkspaceID: w1, At: at, ExpiresAt: at.Add(time.Hour), Recovery: rc})
	}
	if err := login(h, r1); err != nil {
		t.Fatal(err)
	}
	if err := login([]byte("uiadmin-h2-0123456789abcdef01234"), r1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a used recovery code signed in again: %v", err)
	}
	if _, err := st.SessionByHash(ctx, []byte("uiadmin-h2-0123456789abcdef01234")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused login left a session: %v", err)
	}
	if err := login([]byte("uiadmin-h3-0123456789abcdef01234"), []byte("not a code")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown recovery code signed in: %v", err)
	}
	if n, _ := st.RecoveryCodesLeft(ctx, u.ID); n != 1 {
		t.Fatalf("codes left after one login: %d", n)
	}
	if err := st.EnableUserTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP", [][]byte{r1}); err != nil {
		t.Fatal(err)
	}
	if n, _ := st.RecoveryCodesLeft(ctx, u.ID); n != 1 {
		t.Fatalf("enabling again keeps only the new codes: %d", n)
	}

	if err := st.SetSessionWorkspace(ctx, h, w2); err != nil {
		t.Fatal(err)
	}
	if ss, err := st.SessionByHash(ctx, h); err != nil || ss.WorkspaceID != w2 || ss.Role != "marketer" {
		t.Fatalf("switched session: %+v, %v", ss, err)
	}
	if err := st.SetSessionWorkspace(ctx, []byte("nope"), w2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("switch of an unknown session: %v", err)
	}
	w3, err := st.CreateWorkspaceOwned(ctx, "uiadmin-new", u.ID)
	if err != nil || w3.ID == 0 {
		t.Fatalf("create owned: %+v %v", w3, err)
	}
	if c, _ := st.UserCredentials(ctx, "tia@example.com"); len(c.Roles) != 3 {
		t.Fatalf("roles after creating a workspace: %+v", c.Roles)
	}
	if _, err := st.CreateWorkspaceOwned(ctx, "uiadmin-new", u.ID); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a taken name: %v", err)
	}
	if _, err := st.CreateWorkspaceOwned(ctx, "uiadmin-none", u.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown owner: %v", err)
	}
	if _, err := st.WorkspaceByName(ctx, "uiadmin-none"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused workspace exists: %v", err)
	}
	if made, _ := st.AuditEntries(ctx, w3.ID, audit.Filter{}); len(made) != 2 {
		t.Fatalf("new workspace's trail: %+v", made)
	}
	es, err = st.AuditEntries(ctx, store.InstanceWorkspace, audit.Filter{Entity: "user"})
	if err != nil {
		t.Fatal(err)
	}
	var switched, recovered bool
	for _, e := range es {
		switched = switched || e.Action == "user.switch_workspace"
		for _, c := range e.Changes {
			recovered = recovered || (e.Action == "user.login" && c.Field == "second_factor")
		}
	}
	if !switched || !recovered {
		t.Fatalf("switch and recovery login audited: %v %v in %+v", switched, recovered, es)
	}
}
