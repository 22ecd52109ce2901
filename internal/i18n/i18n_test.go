package i18n

import (
	"regexp"
	"slices"
	"strings"
	"testing"
)

// verbs are the fmt verbs of a message, as a sorted multiset of argument numbers, so that a
// translation may reorder them (%[2]s … %[1]s) but not drop or add one.
var verbRE = regexp.MustCompile(`%(\[(\d)\])?[sdv]`)

func verbs(msg string) []string {
	var out []string
	n := 0
	for _, m := range verbRE.FindAllStringSubmatch(msg, -1) {
		if m[2] != "" {
			out = append(out, m[2])
			continue
		}
		n++
		out = append(out, string(rune('0'+n)))
	}
	slices.Sort(out)
	return out
}

// TestCataloguesComplete: every language has exactly English's keys, no empty message, the
// same arguments in every message, and a name for the switch.
func TestCataloguesComplete(t *testing.T) {
	en := Keys(Default)
	if len(en) < 50 {
		t.Fatalf("English has %d keys", len(en))
	}
	if len(Langs()) != 7 {
		t.Fatalf("languages: %v", Langs())
	}
	for _, l := range Langs() {
		if got := Keys(l.Code); !slices.Equal(got, en) {
			for _, k := range en {
				if !slices.Contains(got, k) {
					t.Errorf("%s lacks %q", l.Code, k)
				}
			}
			for _, k := range got {
				if !slices.Contains(en, k) {
					t.Errorf("%s has %q, which English has not", l.Code, k)
				}
			}
		}
		for _, k := range en {
			msg := tables[l.Code][k]
			if strings.TrimSpace(msg) == "" && k != "list.sep" {
				t.Errorf("%s %q is empty", l.Code, k)
			}
			if !slices.Equal(verbs(msg), verbs(tables[Default][k])) {
				t.Errorf("%s %q has arguments %v, English %v", l.Code, k, verbs(msg), verbs(tables[Default][k]))
			}
			if l.Code != Default && !sameInEnglish[k] && msg == tables[Default][k] {
				t.Errorf("%s %q is not translated: %q", l.Code, k, msg)
			}
		}
		if l.Name == "" || (l.Dir != "ltr" && l.Dir != "rtl") {
			t.Errorf("%+v", l)
		}
	}
	if l, _ := Get("ar"); l.Dir != "rtl" {
		t.Errorf("Arabic: %+v", l)
	}
}

// TestMatch: Accept-Language with regions, q-values and wildcards picks the best of ours;
// nothing of ours, or garbage, gives English.
func TestMatch(t *testing.T) {
	for _, tc := range []struct{ header, want string }{
		{"", "en"},
		{"fr-CH, fr;q=0.9, en;q=0.8", "fr"},
		{"en;q=0.5, de;q=0.9", "de"},
		{"ja, ko;q=0.9", "en"},
		{"ja, pl;q=0.3", "pl"},
		{"zh-CN,zh;q=0.9", "zh"},
		{"ar-EG", "ar"},
		{"ru-RU, ru;q=0.9, en-US;q=0.8", "ru"},
		{"de-AT", "de"},
		{"fr;q=0, de;q=0.1", "de"},
		{"*", "en"},
		{"!!garbage;;q=x", "en"},
		{"pt-BR, es;q=0.8", "en"},
	} {
		if got := Match(tc.header); got != tc.want {
			t.Errorf("Match(%q) = %q, want %q", tc.header, got, tc.want)
		}
	}
	if got := Choose("de", "xx", "", "ar"); got != "ar" {
		t.Errorf("Choose: explicit ar after unknown: %q", got)
	}
	if got := Choose("de", "klingon"); got != "de" {
		t.Errorf("Choose: unknown explicit: %q", got)
	}
}

// TestT: formatting with reordered arguments, and English for an unknown language.
func TestT(t *testing.T) {
	if got := T("de", "unsub.done_purpose_at", "newsletter", "a***@e***.com"); got != "Sie erhalten an a***@e***.com keine E-Mails „newsletter“ mehr. Dies gilt ab sofort." {
		t.Errorf("de: %q", got)
	}
	if got := T("xx", "subscribe.title"); got != "Subscribe" {
		t.Errorf("unknown language: %q", got)
	}
}

// sameInEnglish are the messages a language may write as English does.
var sameInEnglish = map[string]bool{"subscribe.err_email": true, "list.sep": true}
