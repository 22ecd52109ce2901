package suppress

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode"
)

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"eFoo.Bar+x@GMail.com", "eu\u0308ber@bücher.de.", "ea@b@c", "ea@example.com\r\n", "dBÜCHER.DE.", "d@example.com",
		"dxn--bcher-kva.de", "p+1 (415) 555-0123", "ptel:+44 20 7946 0123", "p4155550123", "p00 1 415 555 0123", "e+x@googlemail.com", "ea.@gmail.com", "dgooglemail.com"} {
		f.Add(s)
	}
	kinds := map[byte]Kind{'e': KindEmail, 'd': KindDomain, 'p': KindPhone}
	f.Fuzz(func(t *testing.T, in string) {
		if in == "" {
			return
		}
		kind, ok := kinds[in[0]]
		if !ok {
			kind = Kinds()[int(in[0])%3]
		}
		opts := Options{Region: "US"}
		c, err := Canonical(kind, in[1:], opts)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		again, err := Canonical(kind, c, opts)
		if err != nil || again != c {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", in[1:], c, again, err)
		}
		for _, r := range c {
			if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp) {
				t.Fatalf("canonical %q contains %U", c, r)
			}
		}
		switch kind {
		case KindEmail:
			// An address's domain canonicalises to itself as a domain entry.
			if d, err := CanonicalDomain(EmailDomain(c), opts); err != nil || d != EmailDomain(c) {
				t.Fatalf("domain of %q canonicalises to %q, %v", c, d, err)
			}
		case KindPhone:
			if c[0] != '+' || strings.Trim(c[1:], "0123456789") != "" {
				t.Fatalf("phone %q is not E.164", c)
			}
		}
	})
}

func FuzzRegistry(f *testing.F) {
	for _, s := range []string{"4155550123\n", "415,5550123\r\n", "415-555-0123", "415,5550123,A,20261120\n212,5550199,D\n",
		"phone\n+1 (415) 555-0123,x\n", "\ufeff\n#x\n", "\x1f\x8b", "PK\x03\x04", "<?xml", "415,5550123,A,D\n", "\"415\",\"5550123\"\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		last := 0
		rep, err := ParseRegistry(bytes.NewReader(data), RegistryOptions{MaxBad: 50}, func(rec RegistryRecord) error {
			if rec.Line <= last {
				t.Fatalf("line %d after line %d", rec.Line, last)
			}
			last = rec.Line
			e := rec.E164()
			if len(e) != 12 || e[:2] != "+1" || e[2] < '2' || e[5] < '2' {
				t.Fatalf("record %+v gives %q", rec, e)
			}
			return nil
		})
		if err != nil {
			return
		}
		if rep.Lines > bytes.Count(data, []byte("\n"))+1 {
			t.Fatalf("%d lines in %d newlines", rep.Lines, bytes.Count(data, []byte("\n")))
		}
		for _, b := range rep.Bad {
			if b.Line < 1 || b.Line > rep.Lines || b.Reason == "" {
				t.Fatalf("bad line %+v of %d", b, rep.Lines)
			}
		}
	})
}
