package store

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
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

// FuzzAppendEvidence: the hand-written evidence encoder writes what encoding/json writes.
func FuzzAppendEvidence(f *testing.F) {
	f.Add("Yes <b>please</b>", "f1", "", "203.0.113.9", "Mozilla/5.0", int64(1700000000), 123456789, "", "crm", true)
	f.Add("", "", "", "", "", int64(0), 0, "doc\u2028", "", false)
	f.Fuzz(func(t *testing.T, wording, form, version, ip, ua string, sec int64, nsec int, doc, collector string, pre bool) {
		ev := consent.Evidence{Wording: wording, FormID: form, FormVersion: version, IP: ip, UserAgent: ua,
			DocumentRef: doc, Collector: collector, Prechecked: pre}
		if sec != 0 {
			ev.Timestamp = time.Unix(sec%(1<<37), int64(nsec)).In(time.FixedZone("x", int(sec%50000)))
		}
		want, werr := json.Marshal(ev)
		got, gerr := appendEvidence(nil, ev)
		if (werr != nil) != (gerr != nil) {
			t.Fatalf("appendEvidence = %s, %v; encoding/json %s, %v", got, gerr, want, werr)
		}
		if werr != nil {
			return
		}
		// The same JSON value (escapes may differ: \b or \u0008), read back the same.
		var a, b map[string]any
		if err := json.Unmarshal(got, &a); err != nil {
			t.Fatalf("appendEvidence wrote invalid JSON %s: %v", got, err)
		}
		json.Unmarshal(want, &b)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("appendEvidence = %s; encoding/json %s", got, want)
		}
	})
}
