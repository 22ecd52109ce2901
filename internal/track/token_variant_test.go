package track

import (
	"encoding/base64"
	"testing"
)

// TestTokenVariant: a token outside an A/B test keeps version 1 (links delivered before
// stay valid and unchanged); a variant's token is version 2 and carries it, signed; a
// version 2 token without a variant, or with one out of range, is refused.
func TestTokenVariant(t *testing.T) {
	plain, err := Token{Kind: Click, Workspace: 7, Campaign: 3, URL: "https://a.example/"}.Encode(testKey)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := base64.RawURLEncoding.DecodeString(plain); b[0] != tokenVersion {
		t.Fatalf("a token outside a test has version %d, want %d", b[0], tokenVersion)
	}
	for _, tok := range []Token{{Kind: Open, Workspace: 7, Campaign: 3, Variant: 2},
		{Kind: Click, Workspace: 7, Campaign: 3, Contact: 5, Variant: 4, URL: "https://a.example/x"}} {
		s, err := tok.Encode(testKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Verify(s, keyFor)
		if err != nil || got != tok {
			t.Fatalf("Verify = %+v, %v; want %+v", got, err, tok)
		}
	}
	if _, err := (Token{Kind: Open, Workspace: 7, Campaign: 3, Variant: 27}).Encode(testKey); err == nil {
		t.Error("variant 27 encoded")
	}
	// Version 2 with a variant of 0, signed with the right key: refused.
	body := []byte{tokenVersionVariant, byte(Open), 7, 3, 0, 0, 0}
	s := base64.RawURLEncoding.EncodeToString(append(body, mac(testKey, body)...))
	if _, err := Verify(s, keyFor); err == nil {
		t.Error("a version 2 token without a variant was accepted")
	}
}

// FuzzVerify: any string is refused or is a token that encodes back to its bytes (the
// signature covers every byte; versions 1 and 2 alike; base64's unused last bits aside).
func FuzzVerify(f *testing.F) {
	for _, tok := range []Token{{Kind: Open, Workspace: 7, Campaign: 3}, {Kind: Open, Workspace: 7, Campaign: 3, Variant: 2},
		{Kind: Click, Workspace: 7, Campaign: 3, Contact: 9, Variant: 1, URL: "https://a.example/p?q=1"}} {
		s, _ := tok.Encode(testKey)
		f.Add(s)
	}
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, s string) {
		tok, err := Verify(s, keyFor)
		if err != nil {
			return
		}
		again, err := tok.Encode(testKey)
		a, _ := base64.RawURLEncoding.DecodeString(again)
		b, _ := base64.RawURLEncoding.DecodeString(s)
		if err != nil || string(a) != string(b) {
			t.Fatalf("Verify(%q) = %+v, which encodes to %q, %v", s, tok, again, err)
		}
	})
}
