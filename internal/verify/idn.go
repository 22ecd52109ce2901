package verify

import (
	"errors"
	"strings"
	"unicode"

	"golang.org/x/net/idna"
)

// allowedRune reports whether a non-ASCII rune may stand in a local part,
// quoted string or comment (RFC 6531/6532 UTF8-non-ascii). Letters, marks,
// numbers, punctuation and symbols may; controls, format characters (bidi
// overrides, zero-width joiners), spaces, private-use and unassigned code
// points may not: they make addresses that look like other addresses.
func allowedRune(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S)
}

// allowedDomainRune is allowedRune plus the zero-width joiners, which IDNA
// 2008 allows in a few scripts and checks in context.
func allowedDomainRune(r rune) bool {
	return r == '\u200c' || r == '\u200d' || allowedRune(r)
}

// errIDNA2008 reports a code point that UTS 46 maps through but IDNA 2008
// disallows (symbols such as U+2764 in "i❤.ws").
var errIDNA2008 = errors.New("code point not allowed by IDNA 2008")

// toASCII converts an internationalised domain to lower-case A-labels with
// IDNA 2008 (UTS 46 lookup mapping, no transitional processing, BiDi rule)
// and returns its Unicode form for the script check.
func toASCII(domain string) (ascii, unicodeForm string, err error) {
	ascii, err = idna.Lookup.ToASCII(domain)
	if err != nil {
		return "", "", err
	}
	unicodeForm, err = idna.Lookup.ToUnicode(ascii)
	if err == nil && !idna2008Runes(unicodeForm) {
		err = errIDNA2008
	}
	return ascii, unicodeForm, err
}

// idna2008Runes approximates RFC 5892's derived property on a mapped U-label
// form: x/net/idna applies UTS 46, which lets through symbols and
// punctuation that IDNA 2008 disallows. Allowed: lower-case and other
// letters, non-enclosing marks, decimal digits, the hyphen and the few
// CONTEXTJ/CONTEXTO code points (whose context the BiDi and joiner checks
// of x/net/idna already cover well enough for a verifier).
func idna2008Runes(s string) bool {
	for _, r := range s {
		switch {
		case r < 0x80:
			continue // ASCII letters, digits, '-' and '.' after mapping
		case r == '\u00b7', r == '\u0375', r == '\u05f3', r == '\u05f4', r == '\u30fb', r == '\u200c', r == '\u200d':
			continue
		case unicode.In(r, unicode.Ll, unicode.Lo, unicode.Lm, unicode.Mn, unicode.Mc, unicode.Nd):
			continue
		}
		return false
	}
	return true
}

// script bits for mixedScripts; anything else is told apart by name.
const (
	scLatin = 1 << iota
	scHan
	scHiragana
	scKatakana
	scBopomofo
	scHangul
	scGreek
	scCyrillic
	scArmenian
	scHebrew
	scArabic
	scOther
)

var scriptTables = []struct {
	bit   uint16
	table *unicode.RangeTable
}{
	{scLatin, unicode.Latin}, {scCyrillic, unicode.Cyrillic}, {scGreek, unicode.Greek},
	{scHan, unicode.Han}, {scHiragana, unicode.Hiragana}, {scKatakana, unicode.Katakana},
	{scHangul, unicode.Hangul}, {scBopomofo, unicode.Bopomofo}, {scArabic, unicode.Arabic},
	{scHebrew, unicode.Hebrew}, {scArmenian, unicode.Armenian},
}

// allowedMixes are the script sets UTS 39 ("highly restrictive") accepts in
// one identifier: Japanese, Chinese with Bopomofo and Korean, each with Latin.
var allowedMixes = []uint16{
	scLatin | scHan | scHiragana | scKatakana,
	scLatin | scHan | scBopomofo,
	scLatin | scHan | scHangul,
}

// mixedScripts reports whether any dot-separated label of s (a Unicode
// domain or local part) mixes scripts that UTS 39 does not let one
// identifier mix, the mark of a homograph such as "pаypal" with a Cyrillic
// "а".
func mixedScripts(domain string) bool {
	for label := range strings.SplitSeq(domain, ".") {
		if labelMixesScripts(label) {
			return true
		}
	}
	return false
}

func labelMixesScripts(label string) bool {
	var set uint16
	other := ""
	for _, r := range label {
		if r < 0x80 {
			if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
				set |= scLatin
			}
			continue
		}
		if unicode.Is(unicode.Common, r) || unicode.Is(unicode.Inherited, r) {
			continue // digits, hyphens, combining marks go with any script
		}
		bit := uint16(0)
		for _, s := range scriptTables {
			if unicode.Is(s.table, r) {
				bit = s.bit
				break
			}
		}
		if bit == 0 {
			name := scriptName(r)
			if other != "" && other != name {
				return true
			}
			other, bit = name, scOther
		}
		set |= bit
	}
	if set&(set-1) == 0 {
		return false // one script (or none)
	}
	for _, ok := range allowedMixes {
		if set&^ok == 0 {
			return false
		}
	}
	return true
}

func scriptName(r rune) string {
	for name, table := range unicode.Scripts {
		if unicode.Is(table, r) {
			return name
		}
	}
	return "Unknown"
}

// latinLookalikes are the Cyrillic and Greek letters that render like Latin ones in common
// fonts (the confusables of UTS 39 for a–z).
var latinLookalikes = map[rune]bool{
	'а': true, 'с': true, 'е': true, 'һ': true, 'і': true, 'ј': true, 'ӏ': true, 'о': true, 'р': true,
	'ԁ': true, 'ѕ': true, 'ԛ': true, 'ԝ': true, 'х': true, 'у': true, 'ү': true, 'ɡ': true,
	'α': true, 'ο': true, 'ρ': true, 'ν': true, 'ι': true, 'κ': true,
}

// wholeScriptConfusable reports whether a label of a Unicode domain under a Latin-script
// top-level domain is written only with Cyrillic or Greek letters that look like Latin ones
// — "аррӏе.com" all in Cyrillic — which no mixed-script check sees (the label is one script).
// Such a label under a Cyrillic or Greek TLD (".рф") is ordinary and not flagged.
func wholeScriptConfusable(domain string) bool {
	labels := strings.Split(domain, ".")
	if len(labels) < 2 {
		return false
	}
	tld := labels[len(labels)-1]
	for _, r := range tld {
		if r >= 0x80 {
			return false
		}
	}
	for _, label := range labels[:len(labels)-1] {
		letters, lookalike := 0, true
		for _, r := range label {
			if r < 0x80 {
				if r >= 'a' && r <= 'z' {
					lookalike = false // a Latin letter: mixedScripts judges the label
				}
				continue
			}
			if !unicode.IsLetter(r) {
				continue
			}
			letters++
			if !latinLookalikes[r] {
				lookalike = false
			}
		}
		if letters > 0 && lookalike {
			return true
		}
	}
	return false
}
