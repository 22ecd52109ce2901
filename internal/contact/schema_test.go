package contact

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAttributeValidate(t *testing.T) {
	tests := []struct {
		attr    Attribute
		wantErr string
	}{
		{Attribute{Name: "first_name", Type: AttrText, Purpose: "greeting"}, ""},
		{Attribute{Name: "a", Type: AttrBool, Purpose: "x"}, ""},
		{Attribute{Name: "a" + strings.Repeat("b", 62), Type: AttrNumber, Purpose: "x"}, ""},
		{Attribute{Name: "a" + strings.Repeat("b", 63), Type: AttrNumber, Purpose: "x"}, "1 to 63"},
		{Attribute{Name: "", Type: AttrText, Purpose: "x"}, "1 to 63"},
		{Attribute{Name: "First", Type: AttrText, Purpose: "x"}, "lower-case"},
		{Attribute{Name: "1st", Type: AttrText, Purpose: "x"}, "starting with a letter"},
		{Attribute{Name: "first-name", Type: AttrText, Purpose: "x"}, "lower-case"},
		{Attribute{Name: "email", Type: AttrText, Purpose: "x"}, "contact field"},
		{Attribute{Name: "id", Type: AttrText, Purpose: "x"}, "contact field"},
		{Attribute{Name: "status", Type: AttrText, Purpose: "x"}, "contact field"},
		{Attribute{Name: "age", Type: "integer", Purpose: "x"}, "unknown type"},
		{Attribute{Name: "age", Type: AttrNumber, Purpose: "  "}, "no purpose"},
	}
	for _, tt := range tests {
		err := tt.attr.Validate()
		if tt.wantErr == "" && err != nil {
			t.Errorf("%+v: unexpected error %v", tt.attr, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%+v: error = %v, want one containing %q", tt.attr, err, tt.wantErr)
		}
	}
}

func TestAttributeParse(t *testing.T) {
	tests := []struct {
		typ     AttrType
		raw     string
		want    any
		wantErr bool
	}{
		{AttrText, "  Hello  ", "Hello", false},
		{AttrText, "", nil, false},
		{AttrText, "   ", nil, false},
		{AttrText, "line one\nline two", "line one\nline two", false},
		{AttrText, strings.Repeat("x", 4096), strings.Repeat("x", 4096), false},
		{AttrText, strings.Repeat("x", 4097), nil, true},
		{AttrText, "bad\xff", nil, true},
		{AttrText, "nul\x00", nil, true},
		{AttrNumber, "42", 42.0, false},
		{AttrNumber, " -3.5 ", -3.5, false},
		{AttrNumber, "1e3", 1000.0, false},
		{AttrNumber, "NaN", nil, true},
		{AttrNumber, "Inf", nil, true},
		{AttrNumber, "1e400", nil, true},
		{AttrNumber, "1,000", nil, true},
		{AttrNumber, "abc", nil, true},
		{AttrBool, "TRUE", true, false},
		{AttrBool, "yes", true, false},
		{AttrBool, "1", true, false},
		{AttrBool, "False", false, false},
		{AttrBool, "NO", false, false},
		{AttrBool, "0", false, false},
		{AttrBool, "maybe", nil, true},
		{AttrDate, "2024-02-29", "2024-02-29", false},
		{AttrDate, "2024-03-31T23:30:00-05:00", "2024-03-31", false},
		{AttrDate, "2024-03-31T10:00:00Z", "2024-03-31", false},
		{AttrDate, "2023-02-29", nil, true},
		{AttrDate, "31/03/2024", nil, true},
		{AttrDate, "2024-3-1", nil, true},
	}
	for _, tt := range tests {
		a := Attribute{Name: "x", Type: tt.typ, Purpose: "test"}
		got, err := a.Parse(tt.raw)
		if (err != nil) != tt.wantErr {
			t.Errorf("Parse(%s, %.20q) error = %v, wantErr %v", tt.typ, tt.raw, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Parse(%s, %.20q) mismatch (-want +got):\n%s", tt.typ, tt.raw, diff)
		}
	}
}

func TestNewSchema(t *testing.T) {
	attrs := []Attribute{
		{Name: "first_name", Type: AttrText, Purpose: "greeting"},
		{Name: "score", Type: AttrNumber, Purpose: "segmenting"},
	}
	s, err := NewSchema(attrs)
	if err != nil {
		t.Fatal(err)
	}
	if a, ok := s.Lookup("score"); !ok || a.Type != AttrNumber {
		t.Errorf("Lookup(score) = %+v, %v", a, ok)
	}
	if _, ok := s.Lookup("missing"); ok {
		t.Error("Lookup(missing) found something")
	}
	var nilSchema *Schema
	if _, ok := nilSchema.Lookup("score"); ok {
		t.Error("nil schema found an attribute")
	}
	if _, err := NewSchema(append(attrs, Attribute{Name: "score", Type: AttrText, Purpose: "again"})); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("duplicate: error = %v", err)
	}
	if _, err := NewSchema([]Attribute{{Name: "Bad", Type: AttrText, Purpose: "x"}}); err == nil {
		t.Error("invalid attribute accepted")
	}
	literal := &Schema{Attributes: attrs}
	if _, ok := literal.Lookup("first_name"); !ok {
		t.Error("Lookup on a literal Schema failed")
	}
}
