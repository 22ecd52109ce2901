package contact

import (
	"strings"
	"testing"
)

func TestParseCountry(t *testing.T) {
	for in, want := range map[string]string{"de": "DE", " GB ": "GB", "uk": "GB", "us": "US", "XK": "XK", "": ""} {
		if got, err := ParseCountry(in); err != nil || got != want {
			t.Errorf("ParseCountry(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"XX", "ZZ", "EU", "Germany", "DEU", "276", "d", "Ö1"} {
		if got, err := ParseCountry(in); err == nil || !strings.Contains(err.Error(), "ISO 3166-1 two-letter country code") {
			t.Errorf("ParseCountry(%q) = %q, %v; want an error saying what to write", in, got, err)
		}
	}
}

func TestParseKind(t *testing.T) {
	for in, want := range map[string]Kind{"Personal": KindPersonal, "sole-trader": KindSoleTrader, "SOLE_TRADER": KindSoleTrader,
		"corporate": KindCorporate, " ": KindUnknown} {
		if got, err := ParseKind(in); err != nil || got != want {
			t.Errorf("ParseKind(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseKind("company"); err == nil || !strings.Contains(err.Error(), "personal, sole_trader or corporate") {
		t.Errorf("ParseKind(company) = %v", err)
	}
}

// TestNormalizeContactFields: the country and contact_kind columns feed the fields — even
// when the workspace declared a country attribute, and with --drop-undeclared — the defaults
// fill rows without a value, and a bad value is an error naming the cell.
func TestNormalizeContactFields(t *testing.T) {
	schema, err := NewSchema([]Attribute{{Name: "country", Type: AttrText, Purpose: "jurisdiction"}})
	if err != nil {
		t.Fatal(err)
	}
	n, err := NewNormalizer(NormalizeOptions{Schema: schema, DropUndeclared: true, DefaultCountry: "ie", DefaultKind: "personal"})
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{"email", "Country", "Contact Kind", "shoe_size"}
	if dropped, err := n.CheckColumns(cols); err != nil || len(dropped) != 1 || dropped[0] != "shoe_size" {
		t.Fatalf("CheckColumns = %v, %v", dropped, err)
	}
	row, errs := n.Normalize(Record{Num: 1, Cols: cols, Values: []string{"a@example.com", "gb", "Corporate", "42"}})
	if errs != nil || row.Country != "GB" || row.Kind != KindCorporate || row.Attrs != nil {
		t.Errorf("row = %+v, %v", row, errs)
	}
	row, errs = n.Normalize(Record{Num: 2, Cols: cols, Values: []string{"b@example.com", "", "", ""}})
	if errs != nil || row.Country != "IE" || row.Kind != KindPersonal {
		t.Errorf("defaults: row = %+v, %v", row, errs)
	}
	_, errs = n.Normalize(Record{Num: 3, Cols: cols, Values: []string{"c@example.com", "XX", "company", ""}})
	if len(errs) != 2 || errs[0].Column != "Country" || errs[1].Column != "Contact Kind" ||
		!strings.Contains(errs[0].Reason, "ISO 3166-1") || !strings.Contains(errs[1].Reason, "sole_trader") {
		t.Errorf("bad values: %+v", errs)
	}
	if _, err := NewNormalizer(NormalizeOptions{DefaultCountry: "Germany", DefaultKind: "firm"}); err == nil ||
		!strings.Contains(err.Error(), "--country") || !strings.Contains(err.Error(), "--contact-kind") {
		t.Errorf("bad defaults: %v", err)
	}
	m, err := NewNormalizer(NormalizeOptions{Map: Mapping{"Land": "country", "Art": "contact_kind"}})
	if err != nil {
		t.Fatal(err)
	}
	row, errs = m.Normalize(Record{Num: 4, Cols: []string{"email", "Land", "Art"}, Values: []string{"d@example.com", "at", "sole_trader"}})
	if errs != nil || row.Country != "AT" || row.Kind != KindSoleTrader {
		t.Errorf("mapped: row = %+v, %v", row, errs)
	}
}
