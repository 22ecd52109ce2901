package signup

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/consent"
)

func TestTokenRoundTripAndForgery(t *testing.T) {
	key, other := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	tok := Token{Workspace: 3, Signup: 42, Secret: secret}
	s := tok.Encode(key)
	got, err := Verify(s, key)
	if err != nil || got != tok {
		t.Fatalf("Verify = %+v, %v", got, err)
	}
	tampered := []byte(s)
	tampered[5] ^= 1 // inside the workspace/sign-up ids
	for name, bad := range map[string]string{
		"other key": s, "tampered": string(tampered), "empty": "", "garbage": "not-a-token",
		"truncated": s[:len(s)-2], "long": s + strings.Repeat("A", 400),
		"other workspace": Token{Workspace: 4, Signup: 42, Secret: secret}.Encode(other),
	} {
		k := key
		if name == "other key" {
			k = other
		}
		if _, err := Verify(bad, k); !errors.Is(err, ErrLinkInvalid) {
			t.Errorf("%s: err = %v, want ErrLinkInvalid", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Token{Workspace: 1, Signup: 1}.Encode([]byte("k")))
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		if tok, err := Decode(s); err == nil && (tok.Workspace <= 0 || tok.Signup <= 0) {
			t.Fatalf("decoded invalid ids %+v", tok)
		}
	})
}

func TestCheck(t *testing.T) {
	ps := consent.DefaultPurposes()
	ok := func() Request {
		return Request{Email: " Ann@Example.com ", Shown: []string{"newsletter", "surveys"}, Ticked: []string{"newsletter"},
			Prechecked: []string{}, PrecheckedSet: true, FormID: "f", FormVersion: "1",
			Wording: map[string]string{"newsletter": "Yes, the newsletter"}}
	}
	c, err := Check(ok(), ps)
	if err != nil || c.Canonical != "ann@example.com" || len(c.Purposes) != 1 {
		t.Fatalf("Check(ok) = %+v, %v", c, err)
	}
	for _, tc := range []struct {
		name, field string
		mod         func(r *Request)
	}{
		{"prechecked box", "prechecked", func(r *Request) { r.Prechecked = []string{"newsletter"} }},
		{"prechecked not declared", "prechecked", func(r *Request) { r.PrecheckedSet = false }},
		{"ticked not shown", "purposes_ticked", func(r *Request) { r.Ticked = []string{"partner-offers"} }},
		{"nothing ticked", "purposes_ticked", func(r *Request) { r.Ticked = nil }},
		{"unknown purpose", "purposes_shown", func(r *Request) { r.Shown = append(r.Shown, "lottery") }},
		{"service purpose", "purposes_shown", func(r *Request) { r.Shown = append(r.Shown, "security-notices") }},
		{"no wording", "wording", func(r *Request) { r.Wording = nil }},
		{"crlf email", "email", func(r *Request) { r.Email = "a@example.com\r\nBcc: x@example.com" }},
		{"overlong email", "email", func(r *Request) { r.Email = strings.Repeat("a", 400) + "@example.com" }},
		{"control in form id", "form_id", func(r *Request) { r.FormID = "f\x00" }},
	} {
		r := ok()
		tc.mod(&r)
		var inv *InvalidError
		if _, err := Check(r, ps); !errors.As(err, &inv) || inv.Field != tc.field {
			t.Errorf("%s: err = %v, want an InvalidError on %s", tc.name, err, tc.field)
		}
	}
}
