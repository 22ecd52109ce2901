package store

import (
	"encoding/json"
	"testing"
)

func TestAppendAttrsMatchesEncodingJSON(t *testing.T) {
	for _, attrs := range []map[string]any{
		{},
		{"a": "x"},
		{"z": 1.5, "a": "é\"\\\n\t<>&\u2028\x01", "m": true, "n": 1e21, "k": -0.0001},
		{"bad": "\xff\xfe ok"},
		{"nested": []any{"x", 2.0}},
	} {
		got, err := appendAttrs(nil, attrs)
		if err != nil {
			t.Fatal(err)
		}
		var back, want map[string]any
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendAttrs(%v) = %s: not JSON: %v", attrs, got, err)
		}
		wb, _ := json.Marshal(attrs)
		json.Unmarshal(wb, &want)
		if string(mustJSON(back)) != string(mustJSON(want)) {
			t.Errorf("appendAttrs(%v) = %s, encoding/json gives %s", attrs, got, wb)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	f.Add("plain")
	f.Add("\xff\u2029\"\\<")
	f.Fuzz(func(t *testing.T, s string) {
		got := appendJSONString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, got, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Fatalf("%q round-trips to %q, encoding/json to %q", s, back, wantBack)
		}
	})
}

func mustJSON(v any) []byte { b, _ := json.Marshal(v); return b }
