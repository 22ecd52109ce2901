package user

import (
	"strings"
	"testing"
	"time"
)

// TestPasswordHashParams: a hash encodes argon2id, its parameters and a fresh salt; it verifies
// with the parameters it was made with (so raising DefaultParams leaves old hashes usable, and
// NeedsRehash says which); a tampered or foreign hash is refused, not verified.
func TestPasswordHashParams(t *testing.T) {
	h1, err := DefaultParams.Hash("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := DefaultParams.Hash("correct horse battery")
	if !strings.HasPrefix(h1, "$argon2id$v=19$m=19456,t=2,p=1$") || h1 == h2 {
		t.Fatalf("hash %q (and %q): want the encoded parameters and a per-hash salt", h1, h2)
	}
	if ok, err := VerifyPassword(h1, "correct horse battery"); !ok || err != nil {
		t.Fatalf("right password: %v, %v", ok, err)
	}
	if ok, _ := VerifyPassword(h1, "correct horse batterY"); ok {
		t.Fatal("wrong password verified")
	}
	light := Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	old, _ := light.Hash("another passphrase")
	if ok, err := VerifyPassword(old, "another passphrase"); !ok || err != nil {
		t.Fatalf("a hash with other parameters: %v, %v", ok, err)
	}
	if !DefaultParams.NeedsRehash(old) || DefaultParams.NeedsRehash(h1) {
		t.Fatal("NeedsRehash wrong")
	}
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5",
		"$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5", "$argon2id$v=19$m=64,t=99,p=1$c2FsdHNhbHQ$a2V5a2V5a2V5a2V5a2V5"} {
		if ok, err := VerifyPassword(bad, "x"); ok || err == nil {
			t.Errorf("hash %q: %v, %v, want refused", bad, ok, err)
		}
	}
	if err := CheckPassword("short"); err == nil || !strings.Contains(err.Error(), "at least 12") {
		t.Fatalf("short password: %v", err)
	}
}

// FuzzVerifyPassword: no stored hash, however made up, panics or verifies a password.
func FuzzVerifyPassword(f *testing.F) {
	h, _ := Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}.Hash("x")
	f.Add(h)
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$")
	f.Fuzz(func(t *testing.T, enc string) {
		p, _, _, err := decodeHash(enc)
		if err == nil && (p.Memory > 1<<20 || p.Time > 16) {
			t.Fatalf("parameters beyond the bounds accepted: %+v", p)
		}
	})
}

// TestPolicyBackoff: free failures lock nothing; each further one doubles the lockout up to
// the maximum; a quiet window forgets the count.
func TestPolicyBackoff(t *testing.T) {
	p := DefaultPolicy
	now := DefaultParamsTime
	var th Throttle
	for i := 1; i <= p.AccountFree; i++ {
		th = p.Next(th, p.AccountFree, now)
		if !th.LockedUntil.IsZero() {
			t.Fatalf("locked after %d failures", i)
		}
	}
	want := []int{30, 60, 120, 240, 480, 900, 900}
	for _, s := range want {
		th = p.Next(th, p.AccountFree, now)
		if got := th.LockedUntil.Sub(now).Seconds(); int(got) != s {
			t.Fatalf("failure %d: locked %v s, want %d", th.Failures, got, s)
		}
	}
	th = p.Next(th, p.AccountFree, now.Add(p.Window+1))
	if th.Failures != 1 {
		t.Fatalf("a quiet window did not forget: %+v", th)
	}
}

// DefaultParamsTime is a fixed instant for the policy test.
var DefaultParamsTime = mustTime("2026-12-04T10:00:00Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// BenchmarkHashDefault measures one password hash with DefaultParams (what a login costs).
func BenchmarkHashDefault(b *testing.B) {
	for b.Loop() {
		if _, err := DefaultParams.Hash("correct horse battery"); err != nil {
			b.Fatal(err)
		}
	}
}
