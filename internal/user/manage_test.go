package user_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/pquerna/otp/totp"

	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/user"
)

// TestRecoveryCodes on both engines: turning TOTP on gives ten distinct codes; each signs in
// once instead of a TOTP code (typed in any case, with or without its hyphen), a made-up one
// never; turning TOTP on again makes the old codes worthless.
func TestRecoveryCodes(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx, svc, clk, ws := setup(t, st)
		if _, err := svc.Add(ctx, "rae@example.com", "", "raes long passphrase", ws, "marketer"); err != nil {
			t.Fatal(err)
		}
		key, _ := user.NewTOTP("rae@example.com")
		if _, err := svc.EnableTOTP(ctx, "rae@example.com", key.Secret(), "000000"); err == nil {
			t.Fatal("enabled with a wrong code")
		}
		code, _ := totp.GenerateCode(key.Secret(), clk.t)
		codes, err := svc.EnableTOTP(ctx, "rae@example.com", key.Secret(), code)
		if err != nil || len(codes) != user.RecoveryCodes {
			t.Fatalf("enable: %v %v", codes, err)
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if seen[c] || len(c) != 11 || c[5] != '-' {
				t.Fatalf("codes %v", codes)
			}
			seen[c] = true
		}
		login := func(code string) error {
			_, _, err := svc.Login(ctx, user.Login{Email: "rae@example.com", Password: "raes long passphrase", Code: code})
			return err
		}
		if err := login(strings.ToUpper(strings.ReplaceAll(codes[0], "-", ""))); err != nil {
			t.Fatalf("recovery code: %v", err)
		}
		if err := login(codes[0]); !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("a recovery code twice: %v", err)
		}
		if err := login("abcde-fghij"); !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("a made-up code: %v", err)
		}
		us, _ := svc.List(ctx)
		if n, _ := svc.RecoveryCodesLeft(ctx, us[0].ID); n != 9 {
			t.Fatalf("left: %d", n)
		}
		key2, _ := user.NewTOTP("rae@example.com")
		code, _ = totp.GenerateCode(key2.Secret(), clk.t)
		if _, err := svc.EnableTOTP(ctx, "rae@example.com", key2.Secret(), code); err != nil {
			t.Fatal(err)
		}
		if err := login(codes[1]); !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("an old code after re-enabling: %v", err)
		}
		if uri, err := user.TOTPKey("rae@example.com", key2.Secret()); err != nil || !strings.Contains(uri, "secret="+key2.Secret()) {
			t.Fatalf("TOTPKey: %q %v", uri, err)
		}
		if _, err := user.TOTPKey("rae@example.com", "not base32!"); err == nil {
			t.Fatal("TOTPKey took garbage")
		}
	})
}

// TestManagePeople on both engines: the rules of managing a workspace's people, and the
// workspace switcher.
func TestManagePeople(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx, svc, _, ws := setup(t, st)
		other, err := st.EnsureWorkspace(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []struct{ email, role string }{{"own@example.com", "owner"}, {"adm@example.com", "admin"},
			{"mkt@example.com", "marketer"}, {"two@example.com", "agent"}} {
			if _, err := svc.Add(ctx, u.email, "", "a long passphrase", ws, u.role); err != nil {
				t.Fatal(err)
			}
		}
		if err := svc.SetRole(ctx, "two@example.com", other.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Add(ctx, "stranger@example.com", "", "a long passphrase", other.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		owner := user.Manager{Email: "own@example.com", Role: "owner", WorkspaceID: ws}
		admin := user.Manager{Email: "adm@example.com", Role: "admin", WorkspaceID: ws}
		mkt := user.Manager{Email: "mkt@example.com", Role: "marketer", WorkspaceID: ws}
		ms, err := svc.Members(ctx, ws)
		if err != nil || len(ms) != 4 {
			t.Fatalf("members: %+v %v", ms, err)
		}
		for name, err := range map[string]error{
			"marketer adds": func() error {
				_, err := svc.AddMember(ctx, mkt, "x@example.com", "", "a long passphrase", "agent")
				return err
			}(),
			"admin adds an owner": func() error {
				_, err := svc.AddMember(ctx, admin, "x@example.com", "", "a long passphrase", "owner")
				return err
			}(),
			"admin demotes an owner": svc.ChangeRole(ctx, admin, "own@example.com", "admin"),
			"admin promotes":         svc.ChangeRole(ctx, admin, "mkt@example.com", "owner"),
			"own role":               svc.ChangeRole(ctx, owner, "own@example.com", "admin"),
			"disable oneself":        svc.SetMemberDisabled(ctx, admin, "adm@example.com", true),
			"disable an owner":       svc.SetMemberDisabled(ctx, admin, "own@example.com", true),
			"two workspaces":         svc.SetMemberDisabled(ctx, owner, "two@example.com", true),
			"password elsewhere":     svc.ResetPassword(ctx, owner, "two@example.com", "a new long passphrase"),
		} {
			if !errors.Is(err, user.ErrNotManager) {
				t.Errorf("%s: %v, want ErrNotManager", name, err)
			}
		}
		if err := svc.ChangeRole(ctx, owner, "stranger@example.com", "agent"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("role of another workspace's user: %v", err)
		}
		if err := svc.ChangeRole(ctx, admin, "mkt@example.com", "compliance"); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetMemberDisabled(ctx, admin, "mkt@example.com", true); err != nil {
			t.Fatal(err)
		}
		if err := svc.ResetPassword(ctx, admin, "mkt@example.com", "short"); err == nil || !strings.Contains(err.Error(), "at least") {
			t.Fatalf("short password: %v", err)
		}
		if err := svc.ChangeRole(ctx, owner, "adm@example.com", "owner"); err != nil {
			t.Fatal(err)
		}

		// The switcher: only to a workspace of the user's.
		_, id, err := svc.Login(ctx, user.Login{Email: "two@example.com", Password: "a long passphrase", Workspace: store.DefaultWorkspace})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SwitchWorkspace(ctx, id, "nowhere"); !errors.Is(err, user.ErrNoRole) {
			t.Fatalf("switch to a stranger's workspace: %v", err)
		}
		ss, err := svc.SwitchWorkspace(ctx, id, "other")
		if err != nil || ss.WorkspaceID != other.ID || ss.Role != "admin" {
			t.Fatalf("switch: %+v %v", ss, err)
		}
		if ms, _ := svc.Memberships(ctx, "two@example.com"); len(ms) != 2 {
			t.Fatalf("memberships: %+v", ms)
		}
	})
}
