package policy

import "testing"

func TestFreeMail(t *testing.T) {
	for d, want := range map[string]bool{
		"gmail.com": true, "GMail.COM": true, "gmail.com.": true, "googlemail.com": true,
		"yahoo.com": true, "yahoo.co.uk": true, "yahoo.fr": true, "hotmail.de": true, "outlook.com": true,
		"live.fr": true, "gmx.net": true, "gmx.de": true, "web.de": true, "mail.ru": true, "yandex.ru": true,
		"proton.me": true, "protonmail.com": true, "orange.fr": true, "free.fr": true, "libero.it": true,
		"wp.pl": true, "o2.pl": true, "t-online.de": true, "icloud.com": true, "me.com": true, "aol.com": true,
		"acme.com": false, "yahoo": false, "mail.acme.com": false, "": false, "yahoo.": false,
		"notgmail.com": false, "gmail.com.evil.org": false,
	} {
		if got := IsFreeMail(d); got != want {
			t.Errorf("IsFreeMail(%q) = %v, want %v", d, got, want)
		}
	}
}

func TestFreeMailOverrides(t *testing.T) {
	p, err := New(defaultRules, Options{FreeMailAdd: []string{"Example-Mail.org", "posteo.*"}, FreeMailRemove: []string{"gmx.*", "web.de"}})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]bool{"example-mail.org": true, "posteo.de": true, "gmx.net": false, "web.de": false, "gmail.com": true} {
		if got := p.freemail.contains(d); got != want {
			t.Errorf("contains(%q) = %v, want %v", d, got, want)
		}
	}
	if _, err := New(defaultRules, Options{FreeMailAdd: []string{"not a domain"}}); err == nil {
		t.Error("bad free-mail domain accepted")
	}
	// The classifier hook is asked first.
	p, err = New(defaultRules, Options{ClassifyDomain: func(d string) AddressKind {
		if d == "gmail.com" {
			return AddressCorporate // e.g. a workspace that knows this is Google's own staff
		}
		if d == "family-firm.fr" {
			return AddressPersonal
		}
		return AddressUnknown
	}})
	if err != nil {
		t.Fatal(err)
	}
	for d, want := range map[string]bool{"gmail.com": true, "family-firm.fr": false, "acme.fr": true, "orange.fr": false} {
		f := b2b("FR", d)
		if v := p.Evaluate(&f); v.Allowed != want {
			t.Errorf("%s: allowed=%v, want %v%s", d, v.Allowed, want, dump(v))
		}
	}
}
