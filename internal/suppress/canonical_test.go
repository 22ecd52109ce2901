package suppress

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
)

func TestCanonicalVariants(t *testing.T) {
	us := Options{Region: "US"}
	gb := Options{Region: "GB"}
	cases := []struct {
		kind Kind
		opts Options
		want string
		raws []string
	}{
		{KindEmail, Options{}, "foo.bar@example.com", []string{"foo.bar@example.com", "Foo.Bar@Example.COM", "  FOO.BAR@EXAMPLE.COM\t", "foo.bar@example.com."}},
		{KindEmail, Options{}, "a+b@example.com", []string{"a+b@example.com", "A+B@example.com"}}, // no provider rule: the tag stays
		{KindEmail, Options{}, "foobar@gmail.com", []string{"foobar@gmail.com", "Foo.Bar@gmail.com", "f.o.o.b.a.r+news@GMail.com", "foobar+x+y@googlemail.com", "FOO.BAR@googlemail.com."}},
		{KindEmail, Options{}, "f.oo@outlook.com", []string{"f.oo@outlook.com", "F.Oo+promo@Outlook.com"}}, // Outlook: dots matter
		{KindEmail, Options{}, "alice@icloud.com", []string{"alice@icloud.com", "alice+x@me.com", "Alice@mac.com"}},
		{KindEmail, Options{}, "bob@proton.me", []string{"bob+shop@proton.me"}},
		{KindEmail, Options{}, "+tag@gmail.com", []string{"+tag@gmail.com"}}, // nothing before the tag: kept
		{KindEmail, Options{Providers: NoProviders()}, "f.oo+x@gmail.com", []string{"F.Oo+X@gmail.com"}},
		{KindEmail, Options{}, "user@xn--bcher-kva.de", []string{"user@bücher.de", "user@BÜCHER.DE", "user@xn--bcher-kva.de", "User@XN--BCHER-KVA.DE", "user@bu\u0308cher.de"}},
		{KindEmail, Options{}, "über@example.com", []string{"über@example.com", "u\u0308ber@example.com", "ÜBER@example.com"}},
		{KindDomain, Options{}, "example.com", []string{"example.com", "Example.COM.", "@example.com", " @EXAMPLE.com "}},
		{KindDomain, Options{}, "xn--bcher-kva.de", []string{"bücher.de", "BÜCHER.DE.", "xn--bcher-kva.de", "@bücher.de"}},
		{KindDomain, Options{}, "gmail.com", []string{"googlemail.com", "GMAIL.com"}},
		{KindPhone, us, "+14155550123", []string{"+1 (415) 555-0123", "4155550123", "(415) 555 0123", "415.555.0123", "415-555-0123", "tel:+14155550123", "TEL:+1-415-555-0123", "+1.415.555.0123", "1 415 555 0123"}},
		{KindPhone, Options{}, "+14155550123", []string{"+1 (415) 555-0123", "tel:+14155550123", "+14155550123"}},
		{KindPhone, gb, "+442079460123", []string{"020 7946 0123", "+44 20 7946 0123", "+44 (0)20 7946 0123", "tel:+44-20-7946-0123"}},
	}
	for _, c := range cases {
		for _, raw := range c.raws {
			got, err := Canonical(c.kind, raw, c.opts)
			if err != nil || got != c.want {
				t.Errorf("Canonical(%s, %q) = %q, %v; want %q", c.kind, raw, got, err, c.want)
			}
		}
	}
}

func TestCanonicalErrors(t *testing.T) {
	cases := []struct {
		kind Kind
		raw  string
		opts Options
		want string // in the message
	}{
		{KindEmail, "", Options{}, "empty"},
		{KindEmail, "a@example.com\r\nBcc: x@example.net", Options{}, "control character"},
		{KindEmail, "a@example.com\r\n", Options{}, "control character"},
		{KindEmail, "a\x00@example.com", Options{}, "control character"},
		{KindEmail, "a\u202e@example.com", Options{}, "direction"},
		{KindEmail, "a\u200b@example.com", Options{}, "invisible"},
		{KindEmail, "Alice <a@example.com>", Options{}, "angle brackets"},
		{KindEmail, "a@example.com, b@example.com", Options{}, "space"},
		{KindEmail, "a@example.com,b@example.com", Options{}, "more than one @"},
		{KindEmail, "no-at-sign", Options{}, "no @"},
		{KindEmail, "a@localhost", Options{}, "no dot"},
		{KindEmail, "a@[192.0.2.1]", Options{}, "literal"},
		{KindDomain, "a@example.com", Options{}, "give only the domain"},
		{KindDomain, "", Options{}, "empty"},
		{KindDomain, "exa mple.com", Options{}, "space"},
		{KindDomain, "example.com\n", Options{}, "control character"},
		{KindDomain, "192.0.2.1", Options{}, "ends in a number"},
		{KindPhone, "4155550123", Options{}, "no country code: write it with +CC"},
		{KindPhone, "(415) 555-0123", Options{}, "or give a default region"},
		{KindPhone, "hello", Options{Region: "US"}, "invalid phone number"},
		{KindPhone, "+1 555", Options{}, "invalid phone number"},
		{KindPhone, "12", Options{Region: "US"}, "invalid phone number"},
		{KindPhone, "+14155550123\n", Options{}, "control character"},
		{KindPhone, "4155550123", Options{Region: "XX"}, "unknown default region"},
		{Kind("fax"), "123", Options{}, "use email, domain or phone"},
	}
	for _, c := range cases {
		got, err := Canonical(c.kind, c.raw, c.opts)
		if err == nil {
			t.Errorf("Canonical(%s, %q) = %q, want an error", c.kind, c.raw, got)
			continue
		}
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("Canonical(%s, %q): error %v does not wrap ErrInvalid", c.kind, c.raw, err)
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Canonical(%s, %q): error %q does not say %q", c.kind, c.raw, err, c.want)
		}
	}
}

func TestDefaultProviders(t *testing.T) {
	p, err := ParseProviders(defaultProvidersJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "fastmail.com", "proton.me", "icloud.com"} {
		if p.rule(d) == nil {
			t.Errorf("no provider rule for %s", d)
		}
	}
	if _, err := ParseProviders([]byte(`{"providers":[{"domains":["a.com"],"tag":"++"}]}`)); err == nil {
		t.Error("a two-character tag was accepted")
	}
	if _, err := ParseProviders([]byte(`{"providers":[{"domains":["a.com"]},{"domains":["A.com"]}]}`)); err == nil {
		t.Error("a domain listed twice was accepted")
	}
	// An override table replaces the default one.
	own, err := ParseProviders([]byte(`{"providers":[{"domains":["corp.example"],"tag":"-","drop_dots":true}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := CanonicalEmail("J.Doe-news@corp.example", Options{Providers: own})
	if err != nil || got != "jdoe@corp.example" {
		t.Errorf("override table: got %q, %v", got, err)
	}
	if got, _ := CanonicalEmail("a.b+c@gmail.com", Options{Providers: own}); got != "a.b+c@gmail.com" {
		t.Errorf("override table still applies the Gmail rule: %q", got)
	}
}

func TestParseKindScopeReason(t *testing.T) {
	for in, want := range map[string]Kind{"email": KindEmail, "E-Mail": KindEmail, "domain": KindDomain, " phone ": KindPhone} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseKind("fax"); err == nil || !strings.Contains(err.Error(), "use email, domain or phone") {
		t.Errorf("ParseKind(fax): %v", err)
	}
	scopes := map[string]Scope{
		"": ScopeAll, "all": ScopeAll, "ALL": ScopeAll, "email": {Channel: ChannelEmail}, "E-mail": {Channel: ChannelEmail},
		"sms": {Channel: ChannelSMS}, "phone": {Channel: ChannelPhone},
		"purpose:newsletter": {Purpose: "newsletter"}, "all:newsletter": {Purpose: "newsletter"},
		"sms:product-updates": {Channel: ChannelSMS, Purpose: "product-updates"},
	}
	for in, want := range scopes {
		got, err := ParseScope(in)
		if err != nil || got != want {
			t.Errorf("ParseScope(%q) = %+v, %v; want %+v", in, got, err, want)
		}
		if back, err := ParseScope(got.String()); err != nil || back != got {
			t.Errorf("ParseScope(%q.String() = %q) = %+v, %v", in, got.String(), back, err)
		}
	}
	for _, in := range []string{"fax", "purpose", "purpose:", "purpose:News Letter", "email:-x", "post:newsletter", "everything"} {
		_, err := ParseScope(in)
		if err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseScope(%q) = %v, want an ErrInvalid error", in, err)
		}
	}
	if _, err := ParseScope("fax"); err == nil || !strings.Contains(err.Error(), `unknown scope "fax": use all, email, phone, sms, purpose:<name>`) {
		t.Errorf("ParseScope(fax) error does not list the forms: %v", err)
	}
	for _, r := range Reasons() {
		if got, err := ParseReason(strings.ToUpper(string(r))); err != nil || got != r {
			t.Errorf("ParseReason(%q) = %q, %v", r, got, err)
		}
	}
	if got, _ := ParseReason("hard_bounce"); got != ReasonHardBounce {
		t.Errorf("ParseReason(hard_bounce) = %q", got)
	}
	if _, err := ParseReason("angry"); err == nil || !strings.Contains(err.Error(), "unsubscribe, complaint, hard-bounce") {
		t.Errorf("ParseReason(angry): %v", err)
	}
	if _, err := ParseIntake("pigeon"); err == nil || !strings.Contains(err.Error(), "one-click") {
		t.Errorf("ParseIntake(pigeon): %v", err)
	}
}

func TestScopeCovers(t *testing.T) {
	cases := []struct {
		s                Scope
		channel, purpose string
		want             bool
	}{
		{ScopeAll, ChannelEmail, "newsletter", true},
		{Scope{Channel: ChannelEmail}, ChannelEmail, "newsletter", true},
		{Scope{Channel: ChannelEmail}, ChannelSMS, "newsletter", false},
		{Scope{Channel: ChannelEmail}, "", "newsletter", true}, // channel not known: blocked
		{Scope{Purpose: "newsletter"}, ChannelSMS, "newsletter", true},
		{Scope{Purpose: "newsletter"}, ChannelSMS, "surveys", false},
		{Scope{Purpose: "newsletter"}, ChannelSMS, "", true}, // purpose not known: blocked
		{Scope{Channel: ChannelSMS, Purpose: "newsletter"}, ChannelEmail, "newsletter", false},
		{Scope{Channel: ChannelSMS, Purpose: "newsletter"}, ChannelSMS, "newsletter", true},
	}
	for _, c := range cases {
		if got := c.s.Covers(c.channel, c.purpose); got != c.want {
			t.Errorf("%v.Covers(%q, %q) = %v", c.s, c.channel, c.purpose, got)
		}
	}
}

// TestFastNANPAgrees: the fast path answers exactly what the library does.
func TestFastNANPAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	formats := []string{"+1%s%s%s", "+1 (%s) %s-%s", "1 %s %s %s", "%s.%s.%s", "(%s)%s-%s", "%s/%s-%s", "%s%s%s", "+1-%s-%s-%s"}
	for i := 0; i < 3000; i++ {
		area := fmt.Sprintf("%03d", 200+r.IntN(800))
		exch := fmt.Sprintf("%03d", 200+r.IntN(800))
		line := fmt.Sprintf("%04d", r.IntN(10000))
		raw := fmt.Sprintf(formats[r.IntN(len(formats))], area, exch, line)
		for _, region := range []string{"US", "CA", ""} {
			fast, ok := fastNANP(raw, region)
			if !ok {
				continue
			}
			slow, err := slowPhone(raw, region)
			if err != nil || slow != fast {
				t.Fatalf("%q region %q: fast %q, library %q, %v", raw, region, fast, slow, err)
			}
		}
	}
	for _, raw := range []string{"+4155550123", "1155550123", "4151550123", "+1 415 555 0123 x12", "4155550123", "++14155550123"} {
		if got, ok := fastNANP(raw, "GB"); ok {
			t.Errorf("fastNANP(%q, GB) = %q", raw, got)
		}
	}
}

// TestFromContactEmail: the cheap path from an import-canonical address gives what the full
// canonicaliser gives, for every e-mail case above and random gmail spellings.
func TestFromContactEmail(t *testing.T) {
	for _, raw := range []string{"foo.bar@example.com", "Foo.Bar@gmail.com", "f.o.o.b.a.r+news@GMail.com", "foobar+x+y@googlemail.com",
		"F.Oo+promo@Outlook.com", "alice+x@me.com", "bob+shop@proton.me", "+tag@gmail.com", "user@bücher.de", "über@example.com", "a+b@example.com"} {
		_, imported, err := contact.CanonicalEmail(raw)
		if err != nil {
			t.Fatal(err)
		}
		want, err := CanonicalEmail(raw, Options{})
		if err != nil {
			t.Fatal(err)
		}
		got, err := FromContactEmail(imported, Options{})
		if err != nil || got != want {
			t.Errorf("FromContactEmail(%q) = %q, %v; want %q", imported, got, err, want)
		}
	}
}

// TestNoDomains: a list marked as holding no domain entries skips the domain lookup; one
// that holds them blocks addresses by their domain.
func TestNoDomains(t *testing.T) {
	k, _ := NewKeyer(bytes.Repeat([]byte{7}, KeySize))
	ix := NewIndex(0)
	if err := ix.AddHash(k.Hash(KindDomain, "spam.example"), ScopeAll); err != nil {
		t.Fatal(err)
	}
	s := &Screen{Workspace: List{Keyer: k, Index: ix}}
	if _, ok := s.CheckCanonical(KindEmail, "x@spam.example", "email", ""); !ok {
		t.Fatal("domain entry does not block its address")
	}
	s.Workspace.NoDomains = true
	if _, ok := s.CheckCanonical(KindEmail, "x@spam.example", "email", ""); ok {
		t.Fatal("NoDomains still looks the domain up")
	}
}
