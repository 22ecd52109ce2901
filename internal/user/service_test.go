package user_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/user"
)

// light keeps the tests quick; TestPasswordHashParams checks the defaults.
var light = user.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func setup(t *testing.T, st *store.Store) (context.Context, *user.Service, *clock, int64) {
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	ws, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Now().UTC().Truncate(time.Millisecond)}
	return ctx, user.New(st, user.Options{Params: light, Now: c.now}), c, ws.ID
}

// TestLoginSessionLogout on both engines: a login starts a session under a new id (the id the
// browser had is ended: no fixation), the session is found, ends at logout, after the idle
// timeout and the lifetime, and when the user is disabled or given a new password.
func TestLoginSessionLogout(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx, svc, clk, ws := setup(t, st)
		if _, err := svc.Add(ctx, "Ann@Example.com", "Ann", "a long passphrase", ws, "root"); err == nil || !strings.Contains(err.Error(), "use one of") {
			t.Fatalf("bad role: %v", err)
		}
		if _, err := svc.Add(ctx, "Ann@Example.com", "Ann", "a long passphrase", ws, "owner"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Add(ctx, "ann@example.com", "", "a long passphrase", ws, "admin"); err == nil || !strings.Contains(err.Error(), "already") {
			t.Fatalf("second account: %v", err)
		}
		ss, id1, err := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "a long passphrase", IP: "192.0.2.1"})
		if err != nil || ss.Role != "owner" || ss.Workspace != store.DefaultWorkspace || len(id1) < 43 {
			t.Fatalf("login: %+v %q %v", ss, id1, err)
		}
		_, id2, err := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "a long passphrase", Previous: id1})
		if err != nil || id2 == id1 {
			t.Fatalf("second login: %q %v", id2, err)
		}
		if _, err := svc.Session(ctx, id1); !errors.Is(err, user.ErrSessionEnded) {
			t.Fatalf("the session id the browser had before the login still works: %v", err)
		}
		if got, err := svc.Session(ctx, id2); err != nil || got.Email != "ann@example.com" {
			t.Fatalf("session: %+v %v", got, err)
		}
		if err := svc.Logout(ctx, id2); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Session(ctx, id2); !errors.Is(err, user.ErrSessionEnded) {
			t.Fatalf("logged-out session: %v", err)
		}
		// Idle timeout and lifetime.
		_, id3, _ := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "a long passphrase"})
		clk.t = clk.t.Add(59 * time.Minute)
		if _, err := svc.Session(ctx, id3); err != nil {
			t.Fatalf("59 minutes idle: %v", err)
		}
		clk.t = clk.t.Add(61 * time.Minute)
		if _, err := svc.Session(ctx, id3); !errors.Is(err, user.ErrSessionEnded) {
			t.Fatalf("61 minutes idle: %v", err)
		}
		_, id4, _ := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "a long passphrase"})
		for range 14 {
			clk.t = clk.t.Add(55 * time.Minute)
			_, err = svc.Session(ctx, id4)
		}
		if !errors.Is(err, user.ErrSessionEnded) {
			t.Fatalf("a session outlived its 12 h: %v", err)
		}
		// Disabled and new password.
		_, id5, _ := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "a long passphrase"})
		if err := svc.SetDisabled(ctx, "ann@example.com", true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Session(ctx, id5); !errors.Is(err, user.ErrSessionEnded) {
			t.Fatalf("session of a disabled user: %v", err)
		}
		if _, _, err := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "a long passphrase"}); !errors.Is(err, user.ErrDisabled) {
			t.Fatalf("disabled user logged in: %v", err)
		}
		if err := svc.SetDisabled(ctx, "ann@example.com", false); err != nil {
			t.Fatal(err)
		}
		_, id6, _ := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "a long passphrase"})
		if err := svc.SetPassword(ctx, "ann@example.com", "another long passphrase"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Session(ctx, id6); !errors.Is(err, user.ErrSessionEnded) {
			t.Fatalf("session after a new password: %v", err)
		}
		if _, _, err := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "a long passphrase"}); !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("old password: %v", err)
		}
		// Role in another workspace; no role refuses.
		other, _ := st.CreateWorkspace(ctx, "other")
		if _, _, err := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "another long passphrase", Workspace: "other"}); !errors.Is(err, user.ErrNoRole) {
			t.Fatalf("no role: %v", err)
		}
		if err := svc.SetRole(ctx, "ann@example.com", other.ID, "read-only"); err != nil {
			t.Fatal(err)
		}
		if ss, _, err := svc.Login(ctx, user.Login{Email: "ann@example.com", Password: "another long passphrase", Workspace: "other"}); err != nil || ss.Role != "read-only" {
			t.Fatalf("login to other: %+v %v", ss, err)
		}
	})
}

// TestLoginThrottle on both engines: after the free failures an account is locked out (even
// with the right password), from any address; the lockout is kept in the database, so a second
// service (another process) holds it too; once it passes, the right password logs in and
// clears the count. Failures are audited without the password.
func TestLoginThrottle(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx, svc, clk, ws := setup(t, st)
		if _, err := svc.Add(ctx, "bob@example.com", "", "bobs long passphrase", ws, "marketer"); err != nil {
			t.Fatal(err)
		}
		for i := range user.DefaultPolicy.AccountFree {
			_, _, err := svc.Login(ctx, user.Login{Email: "bob@example.com", Password: "guess-" + string(rune('a'+i)), IP: "198.51.100.7"})
			if !errors.Is(err, user.ErrBadCredentials) {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		_, _, err := svc.Login(ctx, user.Login{Email: "bob@example.com", Password: "guess-z", IP: "198.51.100.7"})
		if !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("the failure over the limit: %v", err)
		}
		other := user.New(st, user.Options{Params: light, Now: clk.now})
		var th *user.ThrottledError
		_, _, err = other.Login(ctx, user.Login{Email: "bob@example.com", Password: "bobs long passphrase", IP: "203.0.113.9"})
		if !errors.As(err, &th) || th.Until.Sub(clk.t) != 30*time.Second {
			t.Fatalf("locked account, right password, other process and address: %v", err)
		}
		clk.t = clk.t.Add(31 * time.Second)
		if _, _, err := other.Login(ctx, user.Login{Email: "bob@example.com", Password: "bobs long passphrase", IP: "203.0.113.9"}); err != nil {
			t.Fatalf("after the lockout: %v", err)
		}
		if _, _, err := svc.Login(ctx, user.Login{Email: "bob@example.com", Password: "wrong again", IP: "203.0.113.9"}); !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("a success clears the count: %v", err)
		}
		es, err := st.AuditEntries(ctx, store.InstanceWorkspace, audit.Filter{Entity: "user", Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		failed := 0
		for _, e := range es {
			for _, c := range e.Changes {
				if strings.Contains(c.After, "guess") || strings.Contains(c.After, "passphrase") || c.After == "bob@example.com" && e.Action == "user.login_failed" {
					t.Fatalf("audit entry holds a password or the address typed in clear: %+v", e)
				}
			}
			if e.Action == "user.login_failed" {
				failed++
			}
		}
		if failed != user.DefaultPolicy.AccountFree+2 {
			t.Fatalf("%d failures audited, want %d", failed, user.DefaultPolicy.AccountFree+2)
		}
	})
}

// TestTOTP on both engines: enrolling needs a code of the new key; then a login needs the
// current code, and a wrong or missing one fails like a wrong password.
func TestTOTP(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx, svc, clk, ws := setup(t, st)
		if _, err := svc.Add(ctx, "cy@example.com", "", "cys long passphrase", ws, "compliance"); err != nil {
			t.Fatal(err)
		}
		key, err := user.NewTOTP("cy@example.com")
		if err != nil || !strings.HasPrefix(key.URL(), "otpauth://totp/clearlist:cy@example.com?") {
			t.Fatalf("key: %v %v", key, err)
		}
		if err := svc.EnrolTOTP(ctx, "cy@example.com", key.Secret(), "000000"); err == nil {
			t.Fatal("enrolled with a wrong code")
		}
		code, _ := totp.GenerateCode(key.Secret(), clk.t)
		if err := svc.EnrolTOTP(ctx, "cy@example.com", key.Secret(), code); err != nil {
			t.Fatal(err)
		}
		login := user.Login{Email: "cy@example.com", Password: "cys long passphrase"}
		if _, _, err := svc.Login(ctx, login); !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("login without a code: %v", err)
		}
		login.Code = "123456"
		if code == login.Code {
			login.Code = "654321"
		}
		if _, _, err := svc.Login(ctx, login); !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("login with a wrong code: %v", err)
		}
		login.Code, _ = totp.GenerateCode(key.Secret(), clk.t)
		if _, _, err := svc.Login(ctx, login); err != nil {
			t.Fatalf("login with the code: %v", err)
		}
		if _, _, err := svc.Login(ctx, login); !errors.Is(err, user.ErrBadCredentials) {
			t.Fatalf("the same code accepted twice: %v", err)
		}
		clk.t = clk.t.Add(30 * time.Second)
		login.Code, _ = totp.GenerateCode(key.Secret(), clk.t)
		if _, _, err := svc.Login(ctx, login); err != nil {
			t.Fatalf("login with the next code: %v", err)
		}
		us, _ := svc.List(ctx)
		if len(us) != 1 || !us[0].TOTP {
			t.Fatalf("list: %+v", us)
		}
	})
}
