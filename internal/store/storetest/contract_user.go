package storetest

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/user"
)

// testUsers: accounts with a role per workspace, credentials with the TOTP secret round-trip,
// each change audited (logins and accounts in the instance's trail, roles in the workspace's),
// sessions start (ending the one they replace), are found by hash, touched and ended, a new
// password or a disabled account ends every session, and the login throttle counts per key.
func testUsers(t *testing.T, st *store.Store) {
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.CLI, ID: "contract"})
	w1, w2 := ws(t, st, "users-a"), ws(t, st, "users-b")
	u, err := st.CreateUser(ctx, user.NewUser{Email: "ann@example.com", Name: "Ann", PasswordHash: "$argon2id$x", WorkspaceID: w1,
		Role: "owner"})
	if err != nil || u.ID == 0 || len(u.Roles) != 1 || u.Roles[0] != (user.Membership{WorkspaceID: w1, Workspace: "users-a", Role: "owner"}) {
		t.Fatalf("create: %+v, %v", u, err)
	}
	if _, err := st.CreateUser(ctx, user.NewUser{Email: "ann@example.com", PasswordHash: "h", WorkspaceID: w1, Role: "admin"}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second account with the same address: %v, want ErrConflict", err)
	}
	if err := st.SetUserRole(ctx, u.ID, w2, "read-only"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetUserRole(ctx, u.ID+1000, w2, "admin"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("role of an unknown user: %v", err)
	}
	if err := st.SetUserTOTP(ctx, u.ID, "JBSWY3DPEHPK3PXP"); err != nil {
		t.Fatal(err)
	}
	c, err := st.UserCredentials(ctx, "ann@example.com")
	if err != nil || c.PasswordHash != "$argon2id$x" || c.TOTPSecret != "JBSWY3DPEHPK3PXP" || !c.TOTP || len(c.Roles) != 2 {
		t.Fatalf("credentials: %+v, %v", c, err)
	}
	if _, err := st.UserCredentials(ctx, "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	roles, err := st.AuditEntries(ctx, w2, audit.Filter{Entity: "user"})
	if err != nil || len(roles) != 1 || roles[0].Action != "user.role" || roles[0].Changes[0].After != "read-only" {
		t.Fatalf("role audited in its workspace: %+v, %v", roles, err)
	}

	// Sessions.
	at := time.Now().UTC().Truncate(time.Second)
	h1, h2 := []byte("h1-0123456789abcdef0123456789abc"), []byte("h2-0123456789abcdef0123456789abc")
	if err := st.StartSession(ctx, user.NewSession{IDHash: h1, UserID: u.ID, WorkspaceID: w1, At: at, ExpiresAt: at.Add(time.Hour),
		IP: "192.0.2.1"}); err != nil {
		t.Fatal(err)
	}
	ss, err := st.SessionByHash(ctx, h1)
	if err != nil || ss.UserID != u.ID || ss.Role != "owner" || ss.Workspace != "users-a" || !ss.ExpiresAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("session: %+v, %v", ss, err)
	}
	if err := st.StartSession(ctx, user.NewSession{IDHash: h2, UserID: u.ID, WorkspaceID: w2, At: at, ExpiresAt: at.Add(time.Hour),
		Replaces: h1, Rehash: "$argon2id$y"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SessionByHash(ctx, h1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the replaced session lives on: %v", err)
	}
	if c, _ := st.UserCredentials(ctx, "ann@example.com"); c.PasswordHash != "$argon2id$y" || c.LastLoginAt == nil {
		t.Fatalf("login did not rehash or note the time: %+v", c)
	}
	// A TOTP step signs in once.
	h3 := []byte("h3-0123456789abcdef0123456789abc")
	if err := st.StartSession(ctx, user.NewSession{IDHash: h3, UserID: u.ID, WorkspaceID: w1, At: at, ExpiresAt: at.Add(time.Hour), TOTPStep: 100}); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.UserCredentials(ctx, "ann@example.com"); c.TOTPStep != 100 {
		t.Fatalf("step not kept: %d", c.TOTPStep)
	}
	if err := st.StartSession(ctx, user.NewSession{IDHash: h1, UserID: u.ID, WorkspaceID: w1, At: at, ExpiresAt: at.Add(time.Hour), TOTPStep: 100}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a used step signed in again: %v", err)
	}
	if _, err := st.SessionByHash(ctx, h1); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the refused login left a session: %v", err)
	}
	if err := st.EndSession(ctx, h3); err != nil {
		t.Fatal(err)
	}
	later := at.Add(10 * time.Minute)
	if err := st.TouchSession(ctx, h2, later); err != nil {
		t.Fatal(err)
	}
	if ss, _ := st.SessionByHash(ctx, h2); !ss.LastSeenAt.Equal(later) || ss.Role != "read-only" {
		t.Fatalf("touched: %+v", ss)
	}
	if err := st.EndSession(ctx, h2); err != nil {
		t.Fatal(err)
	}
	if err := st.EndSession(ctx, h2); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ending twice: %v", err)
	}
	for _, change := range []func() error{
		func() error { return st.SetUserPassword(ctx, u.ID, "$argon2id$z") },
		func() error { return st.SetUserDisabled(ctx, u.ID, true) },
	} {
		if err := st.StartSession(ctx, user.NewSession{IDHash: h1, UserID: u.ID, WorkspaceID: w1, At: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := change(); err != nil {
			t.Fatal(err)
		}
		if _, err := st.SessionByHash(ctx, h1); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a session outlived a new password or disabling: %v", err)
		}
	}
	if err := st.SetUserDisabled(ctx, u.ID+1000, true); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("disable unknown: %v", err)
	}
	if err := st.SetUserDisabled(ctx, u.ID, false); err != nil {
		t.Fatal(err)
	}
	us, err := st.Users(ctx)
	if err != nil || len(us) != 1 || us[0].Disabled || len(us[0].Roles) != 2 {
		t.Fatalf("users: %+v, %v", us, err)
	}

	// Throttle.
	keys := []string{user.AccountKey("ann@example.com"), user.AddressKey("192.0.2.1")}
	for i := range 3 {
		err := st.RecordLoginFailure(ctx, user.LoginFailure{UserID: u.ID, Email: "ann@example.com", Reason: "password", At: at, Keys: keys,
			Next: func(t user.Throttle) user.Throttle {
				t.Failures++
				t.LastFailure, t.LockedUntil = at, at.Add(time.Duration(i)*time.Minute)
				return t
			}})
		if err != nil {
			t.Fatal(err)
		}
	}
	ts, err := st.LoginThrottles(ctx, append(keys, user.AccountKey("other@example.com")))
	if err != nil || len(ts) != 2 || ts[0].Failures != 3 || ts[1].Failures != 3 || !ts[0].LockedUntil.Equal(at.Add(2*time.Minute)) {
		t.Fatalf("throttles: %+v, %v", ts, err)
	}
	if err := st.StartSession(ctx, user.NewSession{IDHash: h1, UserID: u.ID, WorkspaceID: w1, At: at, ExpiresAt: at.Add(time.Hour),
		Clear: keys[:1]}); err != nil {
		t.Fatal(err)
	}
	if ts, _ := st.LoginThrottles(ctx, keys); len(ts) != 1 || ts[0].Key != keys[1] {
		t.Fatalf("a login clears its account's throttle only: %+v", ts)
	}
	inst, err := st.AuditEntries(ctx, store.InstanceWorkspace, audit.Filter{Entity: "user", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range inst {
		if e.EntityID == "" || e.EntityID == strconv.FormatInt(u.ID, 10) {
			seen[e.Action] = true
		}
		for _, ch := range e.Changes {
			if ch.After == "ann@example.com" && e.Action == "user.login_failed" {
				t.Fatalf("a failed login recorded the address typed in clear: %+v", e)
			}
		}
	}
	for _, a := range []string{"user.add", "user.totp_enrol", "user.login", "user.logout", "user.passwd", "user.disable", "user.enable", "user.login_failed"} {
		if !seen[a] {
			t.Errorf("no %s entry in the instance's trail: %v", a, seen)
		}
	}
}
