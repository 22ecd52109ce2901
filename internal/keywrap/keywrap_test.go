package keywrap

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func mustKey(t *testing.T) *Key {
	t.Helper()
	text, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	k, err := Parse(text + "\n")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestWrapRoundTripAndBinding(t *testing.T) {
	k := mustKey(t)
	secret := bytes.Repeat([]byte{7}, 32)
	w, err := k.Wrap(secret, "signing_keys ws=1 name=doi-link")
	if err != nil {
		t.Fatal(err)
	}
	if !IsWrapped(w) || bytes.Contains(w, secret) || WrappedID(w) != k.ID() {
		t.Fatalf("wrapped value %x does not look wrapped by %s", w, k.ID())
	}
	got, err := k.Unwrap(w, "signing_keys ws=1 name=doi-link")
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Unwrap = %x, %v", got, err)
	}
	if _, err := k.Unwrap(w, "signing_keys ws=2 name=doi-link"); !errors.Is(err, ErrWrongKey) {
		t.Errorf("a value moved to another row opened: %v", err)
	}
	if _, err := mustKey(t).Unwrap(w, "signing_keys ws=1 name=doi-link"); !errors.Is(err, ErrWrongKey) || !strings.Contains(err.Error(), k.ID()) {
		t.Errorf("another key: %v", err)
	}
	w[len(w)-1] ^= 1
	if _, err := k.Unwrap(w, "signing_keys ws=1 name=doi-link"); !errors.Is(err, ErrWrongKey) {
		t.Errorf("an altered value opened: %v", err)
	}
}

func TestParse(t *testing.T) {
	raw := bytes.Repeat([]byte{0xab}, 32)
	hexKey, _ := Parse(strings.Repeat("ab", 32))
	b64Key, err := Parse(base64.StdEncoding.EncodeToString(raw))
	if err != nil || hexKey.ID() != b64Key.ID() {
		t.Fatalf("hex and base64 forms of one key differ: %v", err)
	}
	for _, bad := range []string{"", "short", strings.Repeat("ab", 31), "correct horse battery staple"} {
		if _, err := Parse(bad); err == nil || !strings.Contains(err.Error(), "keys generate") {
			t.Errorf("Parse(%q) = %v, want an error saying how to make a key", bad, err)
		}
	}
}
