// Package i18n holds the languages of the public pages, the choice of one from a request
// (Accept-Language, a ?lang= switch, its cookie) and each language's message table.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"slices"

	"golang.org/x/text/language"
)

// Lang is one language of the public pages.
type Lang struct {
	Code string // the switch's value and the message file's name: en, fr, …
	Tag  string // the BCP 47 tag for lang and hreflang attributes
	Dir  string // ltr or rtl
	Name string // the language's name in itself, for the switch
}

// Default is the language of a request that asks for none of ours.
const Default = "en"

// langs are the languages in the switch's order; the first is the fallback.
var langs = []Lang{
	{Code: "en", Tag: "en", Dir: "ltr"},
	{Code: "fr", Tag: "fr", Dir: "ltr"},
	{Code: "de", Tag: "de", Dir: "ltr"},
	{Code: "pl", Tag: "pl", Dir: "ltr"},
	{Code: "zh", Tag: "zh-Hans", Dir: "ltr"},
	{Code: "ar", Tag: "ar", Dir: "rtl"},
	{Code: "ru", Tag: "ru", Dir: "ltr"},
}

//go:embed messages/*.json
var files embed.FS

// tables maps a language code to its messages; every table has every key of English (the
// package's test checks it), so a lookup never falls through to a key name.
var tables = map[string]map[string]string{}

var matcher language.Matcher

func init() {
	tags := make([]language.Tag, len(langs))
	for i := range langs {
		tags[i] = language.MustParse(langs[i].Tag)
		b, err := files.ReadFile(path.Join("messages", langs[i].Code+".json"))
		if err != nil {
			panic(err)
		}
		t := map[string]string{}
		if err := json.Unmarshal(b, &t); err != nil {
			panic(fmt.Sprintf("i18n: messages/%s.json: %v", langs[i].Code, err))
		}
		tables[langs[i].Code] = t
		langs[i].Name = t["lang.name"]
	}
	matcher = language.NewMatcher(tags)
}

// Langs returns the languages in the switch's order.
func Langs() []Lang { return slices.Clone(langs) }

// Get returns the language of a code, and false for one that is not ours.
func Get(code string) (Lang, bool) {
	for _, l := range langs {
		if l.Code == code {
			return l, true
		}
	}
	return Lang{}, false
}

// Supported reports whether code is one of the languages.
func Supported(code string) bool { _, ok := Get(code); return ok }

// Match returns the code of the language that best fits an Accept-Language header (with its
// q-values), or Default when none of ours fits.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return langs[i].Code
}

// Choose picks the language of a request: an explicit choice (the switch's ?lang=, a form's
// hidden field, the cookie it set), the first that is ours, else Accept-Language.
func Choose(acceptLanguage string, explicit ...string) string {
	for _, c := range explicit {
		if Supported(c) {
			return c
		}
	}
	return Match(acceptLanguage)
}

// T returns the message key in language code, formatted with args (fmt verbs; a table may
// reorder them with explicit indexes, %[2]s). An unknown language reads English.
func T(code, key string, args ...any) string {
	t, ok := tables[code]
	if !ok {
		t = tables[Default]
	}
	msg, ok := t[key]
	if !ok {
		msg = tables[Default][key]
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Keys returns the message keys of a language's table, sorted.
func Keys(code string) []string {
	out := make([]string, 0, len(tables[code]))
	for k := range tables[code] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
