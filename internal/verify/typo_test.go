package verify

import "testing"

func TestOSA(t *testing.T) {
	cases := []struct {
		a, b  string
		limit int
		want  int
	}{
		{"gmail.com", "gmail.com", 2, 0},
		{"gmial.com", "gmail.com", 2, 1}, // transposition counts 1
		{"gmai.com", "gmail.com", 2, 1},
		{"gmaill.com", "gmail.com", 2, 1},
		{"gnail.com", "gmail.com", 2, 1},
		{"hotmial.con", "hotmail.com", 2, 2},
		{"abc", "xyz", 2, 3}, // capped at limit+1
		{"a", "abcdef", 2, 3},
		{"", "ab", 2, 2},
		{"ca", "abc", 3, 3}, // OSA, not full Damerau-Levenshtein (which says 2)
	}
	for _, c := range cases {
		if got := osa(c.a, c.b, c.limit); got != c.want {
			t.Errorf("osa(%q, %q, %d) = %d, want %d", c.a, c.b, c.limit, got, c.want)
		}
	}
}

func TestSuggest(t *testing.T) {
	l := Default()
	cases := map[string]string{
		"gmial.com": "gmail.com", "gmail.co": "gmail.com", "gmailcom": "gmail.com", "gmailc.om": "gmail.com",
		"hotmial.con": "hotmail.com", "yahooo.com": "yahoo.com", "yahoo.cm": "yahoo.com",
		"outlook.cmo": "outlook.com", "aoll.com": "aol.com", "gxm.de": "gmx.de",
		"acme.con": "acme.com", "example.ogr": "example.org", "firma.nte": "firma.net",
		// Left alone: known providers, real look-alikes, country variants,
		// short names one substitution away, ordinary domains.
		"gmail.com": "", "mail.com": "", "ymail.com": "", "q.com": "", "aim.com": "", "126.com": "",
		"gmx.at": "", "hotmail.se": "", "yahoo.ca": "", "live.cn": "", "aon.com": "", "uol.com.br": "",
		"mit.edu": "", "example.com": "", "acme.local": "", "everyday.com.kh": "", "online.de": "",
		"ghostmail.com": "", "x.co": "",
	}
	for in, want := range cases {
		if got := l.Suggest(in); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSuggestionKeepsLocalPart(t *testing.T) {
	c := New(Options{})
	r := c.Offline("Jane.Doe+news@Gmial.COM")
	if r.Suggestion != "Jane.Doe+news@gmail.com" {
		t.Errorf("Suggestion = %q, want the local part unchanged and the domain corrected", r.Suggestion)
	}
}
