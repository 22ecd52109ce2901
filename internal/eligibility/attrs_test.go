package eligibility

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestScanAttrs(t *testing.T) {
	tests := []struct {
		in                        string
		country, customer, region string
	}{
		{`{}`, "", "", ""},
		{`{"country":"de","customer":true}`, "de", "true", ""},
		{`{"city": "Berlin", "country": "DE", "customer": 1, "region": "BE"}`, "DE", "1", "BE"}, // PostgreSQL's jsonb text
		{`{"a":{"country":"XX"},"b":[1,"]"],"country":"FR"}`, "FR", "", ""},
		{`{"note":"say \"hi\", \\ ok","country":"S\u00e9"}`, "Sé", "", ""},
		{`{"country":null,"customer":false}`, "", "false", ""},
		{`{"country":"DE"`, "DE", "", ""},
		{`not json`, "", "", ""},
	}
	for _, tt := range tests {
		var a eligibilityAttrs
		scanAttrs([]byte(tt.in), &a)
		if string(a.country) != tt.country || string(a.customer) != tt.customer || string(a.region) != tt.region {
			t.Errorf("%s: country %q customer %q region %q; want %q %q %q", tt.in, a.country, a.customer, a.region,
				tt.country, tt.customer, tt.region)
		}
	}
	var a eligibilityAttrs
	obj := []byte(`{"company": "ACME", "country": "DE", "customer": true, "last_purchase": "2026-01-02"}`)
	if n := testing.AllocsPerRun(100, func() { scanAttrs(obj, &a) }); n != 0 {
		t.Errorf("scanAttrs allocates %v times", n)
	}
}

// FuzzScanAttrs: on any valid flat object, scanAttrs finds what encoding/json finds; on any
// input at all it does not panic.
func FuzzScanAttrs(f *testing.F) {
	f.Add([]byte(`{"country":"DE","customer":true,"region":"US-CA"}`))
	f.Add([]byte(`{"x":[{"country":"no"}],"country":"\u0041T"}`))
	f.Add([]byte(`{"country": 12.5e3 , "last_purchase":"2026-01-01"}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		var a eligibilityAttrs
		scanAttrs(in, &a)
		var m map[string]any
		if json.Unmarshal(in, &m) != nil {
			return
		}
		want := ""
		switch v := m["country"].(type) {
		case nil:
		case string:
			want = v
		case bool, float64:
			want = fmt.Sprint(v)
		default:
			return // nested values are skipped, not read
		}
		if dup(in) {
			return // encoding/json keeps the last of repeated keys, so does scanAttrs, but escapes may hide a repeat
		}
		if _, isNum := m["country"].(float64); isNum {
			return // number text is kept as written
		}
		if string(a.country) != want {
			t.Fatalf("%s: country %q, encoding/json says %q", in, a.country, want)
		}
	})
}

// dup reports whether the input has an escaped key, which could spell "country" another way.
func dup(in []byte) bool {
	for i := 0; i+1 < len(in); i++ {
		if in[i] == '\\' {
			return true
		}
	}
	return false
}
