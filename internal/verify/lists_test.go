package verify

import (
	"testing"
)

func TestListsDefault(t *testing.T) {
	l := Default()
	for _, d := range []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "gmx.de", "qq.com", "mit.edu", "example.com"} {
		if l.IsDisposable(d) {
			t.Errorf("IsDisposable(%q) = true: the refreshed list lists a real provider; remove it with an override in defaultLists or fix upstream", d)
		}
	}
	for _, d := range []string{"mailinator.com", "guerrillamail.com", "yopmail.com", "x.33mail.com", "a.b.33mail.com", "33mail.com"} {
		if !l.IsDisposable(d) {
			t.Errorf("IsDisposable(%q) = false", d)
		}
	}
	for _, d := range []string{"gmail.com", "yahoo.com", "gmx.de", "web.de", "orange.fr", "163.com"} {
		if !l.IsFree(d) {
			t.Errorf("IsFree(%q) = false", d)
		}
	}
	for _, d := range []string{"yopmail.com", "mit.edu"} {
		if l.IsFree(d) {
			t.Errorf("IsFree(%q) = true", d)
		}
	}
	for local, want := range map[string]bool{
		"info": true, "Info": true, "SALES": true, "postmaster": true, "abuse": true, "noreply": true,
		"no-reply": true, "sales+eu": true, "Support+Ticket-42": true, "marketing.jane": false,
		"jane": false, "john.smith": false, "infos": false, "": false, "+info": false,
	} {
		if got := l.IsRole(local); got != want {
			t.Errorf("IsRole(%q) = %v, want %v", local, got, want)
		}
	}
}

func TestListsWith(t *testing.T) {
	base := Default()
	l, err := base.With(Overrides{
		AddDisposable:    []string{"Burner.Example", "*.relay.example"},
		RemoveDisposable: []string{"yopmail.com"},
		AddFree:          []string{"bücher.example"},
		RemoveFree:       []string{"gmail.com"},
		AddRoles:         []string{"Kundenservice"},
		RemoveRoles:      []string{"hello"},
		AddKnown:         []string{"gmial.com"},
	})
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want bool
	}{
		{"added disposable (case-insensitive)", l.IsDisposable("burner.example"), true},
		{"added wildcard covers subdomains", l.IsDisposable("x.relay.example"), true},
		{"removed disposable", l.IsDisposable("yopmail.com"), false},
		{"removed disposable now counts as free", l.IsFree("yopmail.com"), true},
		{"added free given as U-label", l.IsFree("xn--bcher-kva.example"), true},
		{"removed free", l.IsFree("gmail.com"), false},
		{"added role", l.IsRole("kundenservice"), true},
		{"removed role", l.IsRole("hello"), false},
		{"known domain is not a typo", l.Suggest("gmial.com") == "", true},
		{"base unchanged: disposable", base.IsDisposable("yopmail.com"), true},
		{"base unchanged: free", base.IsFree("gmail.com"), true},
		{"base unchanged: typo", base.Suggest("gmial.com") == "gmail.com", true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
	// Overrides stack without touching the earlier layer.
	l2, err := l.With(Overrides{AddDisposable: []string{"yopmail.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if !l2.IsDisposable("yopmail.com") || l.IsDisposable("yopmail.com") || !l2.IsDisposable("burner.example") {
		t.Error("stacked overrides leak between layers")
	}
	for _, bad := range []Overrides{
		{AddDisposable: []string{"not a domain"}},
		{AddFree: []string{"a@b.com"}},
		{AddRoles: []string{"info@example.com"}},
		{AddRoles: []string{"sales+x"}},
		{AddKnown: []string{""}},
	} {
		if _, err := base.With(bad); err == nil {
			t.Errorf("With(%+v) accepted a bad entry", bad)
		}
	}
}

func TestOfflineFlags(t *testing.T) {
	c := New(Options{})
	cases := []struct {
		addr    string
		verdict Verdict
		reasons []Reason
	}{
		{"john.smith@example.com", Unknown, nil},
		{"jane@gmail.com", Unknown, []Reason{ReasonFree}},
		{"info@example.com", Risky, []Reason{ReasonRole}},
		{"temp@mailinator.com", Risky, []Reason{ReasonDisposable}},
		{"anna@gmai.com", Risky, []Reason{ReasonDisposable, ReasonTypo}},
		{"john..smith@example.com", Undeliverable, []Reason{ReasonSyntax}},
		{`"john smith"@example.com`, Risky, []Reason{ReasonQuotedLocal}},
		{"john@[192.0.2.1]", Risky, []Reason{ReasonAddressLiteral}},
		{"john@localhost", Risky, []Reason{ReasonDotlessDomain}},
		{"jane@p\u0430ypal.com", Risky, []Reason{ReasonHomograph}},
		{"用户@例子.广告", Unknown, []Reason{ReasonSMTPUTF8}},
		{"john@acme.con", Risky, []Reason{ReasonTypo}},
	}
	for _, tc := range cases {
		got := c.Offline(tc.addr)
		if got.Verdict != tc.verdict || !sameReasons(got.Reasons, tc.reasons) {
			t.Errorf("Offline(%q) = %s %v, want %s %v", tc.addr, got.Verdict, got.Reasons, tc.verdict, tc.reasons)
		}
		if got.Address != tc.addr || got.CheckedAt.IsZero() {
			t.Errorf("Offline(%q): Address %q, CheckedAt %v", tc.addr, got.Address, got.CheckedAt)
		}
	}
}

func sameReasons(a, b []Reason) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
