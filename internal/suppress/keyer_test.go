package suppress

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"sync"
	"testing"
)

func testKeyer(t testing.TB, seed byte) *Keyer {
	t.Helper()
	key := bytes.Repeat([]byte{seed}, KeySize)
	key[0] ^= 0x5a
	k, err := NewKeyer(key)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// TestHashIsHMAC checks the precomputed-state HMAC against crypto/hmac.
func TestHashIsHMAC(t *testing.T) {
	key, err := NewKey()
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewKeyer(key)
	if err != nil {
		t.Fatal(err)
	}
	h := k.NewHasher()
	for _, v := range []string{"", "a@example.com", "+14155550123", string(bytes.Repeat([]byte("x"), 300))} {
		for _, kind := range Kinds() {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(string(kind) + "\x00" + v))
			want := [32]byte(m.Sum(nil))
			if got := k.Hash(kind, v); got != want {
				t.Errorf("Hash(%s, %q) = %x, want HMAC %x", kind, v, got, want)
			}
			if got := h.Hash(kind, v); got != want {
				t.Errorf("Hasher.Hash(%s, %q) differs from HMAC", kind, v)
			}
			if got := k.HashBytes(kind, []byte(v)); got != want {
				t.Errorf("HashBytes(%s, %q) differs from HMAC", kind, v)
			}
		}
	}
	if k.Hash(KindEmail, "example.com") == k.Hash(KindDomain, "example.com") {
		t.Error("the kind does not separate the hashes")
	}
}

func TestNewKeyer(t *testing.T) {
	if _, err := NewKeyer(make([]byte, 16)); err == nil {
		t.Error("a 16-byte key was accepted")
	}
	if _, err := NewKeyer(make([]byte, KeySize)); err == nil {
		t.Error("an all-zero key was accepted")
	}
	a, _ := NewKey()
	b, _ := NewKey()
	if bytes.Equal(a, b) {
		t.Error("NewKey returned the same key twice")
	}
}

func TestKeyerConcurrent(t *testing.T) {
	k := testKeyer(t, 1)
	want := k.Hash(KindEmail, "a@example.com")
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 1000 {
				if k.Hash(KindEmail, "a@example.com") != want {
					t.Error("concurrent Hash differs")
					return
				}
			}
		})
	}
	wg.Wait()
}
