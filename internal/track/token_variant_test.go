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
