package verify

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSyntax checks that Syntax never panics, is deterministic, and keeps
// its promises about the forms it returns.
func FuzzSyntax(f *testing.F) {
	for _, s := range []string{
		"john@example.com", "", "@", `"a b"@example.org`, "a@[IPv6:::1]", "a(b)@c.d",
		" \r\n test@iana.org", "user@bücher.example", "квіточка@пошта.укр", "a@p\u0430ypal.com",
		"jo\x00hn@example.com", "john\u202e@example.com", "a@xn--pypal-4ve.com", "a@b@c",
		`"\` + "\xff", "test@[1.2.3.4", strings.Repeat("a.", 200) + "@x.org",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, addr string) {
		r := Syntax(addr)
		if r2 := Syntax(addr); r2 != r {
			t.Fatalf("not deterministic: %+v then %+v", r, r2)
		}
		if r.Verdict != r.code.verdict() || r.Diagnosis != diagnosisNames[r.code] || r.Diagnosis == "" {
			t.Fatalf("verdict %s / diagnosis %q disagree with code %d", r.Verdict, r.Diagnosis, r.code)
		}
		if r.Verdict == SyntaxInvalid {
			if r.ASCII != "" || r.Local != "" || r.Domain != "" {
				t.Fatalf("invalid address %q has forms %+v", addr, r)
			}
			return
		}
		if r.ASCII == "" || r.ASCII != r.Local+"@"+r.Domain {
			t.Fatalf("%q: ASCII %q is not Local@Domain (%q, %q)", addr, r.ASCII, r.Local, r.Domain)
		}
		if len(r.ASCII) > 254 || len(r.Local) > 64 || len(r.Domain) > 255 {
			t.Fatalf("%q: forms over the length limits: %d/%d/%d octets", addr, len(r.ASCII), len(r.Local), len(r.Domain))
		}
		if !utf8.ValidString(r.ASCII) {
			t.Fatalf("%q: ASCII form is not UTF-8", addr)
		}
		if !r.Literal {
			for i := 0; i < len(r.Domain); i++ {
				if c := r.Domain[i]; c >= 0x80 || c >= 'A' && c <= 'Z' {
					t.Fatalf("%q: domain %q is not lower-case ASCII", addr, r.Domain)
				}
			}
			for label := range strings.SplitSeq(r.Domain, ".") {
				if label == "" || len(label) > 63 {
					t.Fatalf("%q: domain %q has a bad label %q", addr, r.Domain, label)
				}
			}
		}
		if r.SMTPUTF8 == isASCII(r.Local) {
			t.Fatalf("%q: SMTPUTF8 %v for local part %q", addr, r.SMTPUTF8, r.Local)
		}
		// The canonical form of a usable address reads back the same way.
		again := Syntax(r.ASCII)
		if again.Verdict == SyntaxInvalid || again.ASCII != r.ASCII {
			t.Fatalf("%q: canonical form %q re-checks as %s %q", addr, r.ASCII, again.Diagnosis, again.ASCII)
		}
	})
}
