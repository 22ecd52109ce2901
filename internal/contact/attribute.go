package contact

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// AttrType is the type of a declared attribute's values.
type AttrType string

// The attribute types.
const (
	AttrText   AttrType = "text"   // a string of at most 4096 bytes
	AttrNumber AttrType = "number" // a float64
	AttrBool   AttrType = "bool"   // true or false
	AttrDate   AttrType = "date"   // a calendar date, "YYYY-MM-DD"
)

// maxTextBytes is the largest text attribute value.
const maxTextBytes = 4096

// Attribute is one piece of data a workspace has declared it collects about
// contacts, and why (data minimisation: nothing undeclared is stored).
type Attribute struct {
	Name    string   `json:"name"`
	Type    AttrType `json:"type"`
	Purpose string   `json:"purpose"`
}

// reservedNames are contact fields that cannot be attribute names.
var reservedNames = map[string]bool{"email": true, "phone": true, "status": true, "id": true}

// Validate checks the name ([a-z][a-z0-9_]{0,62}, not a contact field), the
// type, and that the purpose says why the attribute is collected.
func (a Attribute) Validate() error {
	if !validAttrName(a.Name) {
		return fmt.Errorf("attribute name %s: use 1 to 63 lower-case letters, digits or _, starting with a letter", quoteShort(a.Name))
	}
	if reservedNames[a.Name] {
		return fmt.Errorf("attribute name %q is a contact field; choose another name", a.Name)
	}
	switch a.Type {
	case AttrText, AttrNumber, AttrBool, AttrDate:
	default:
		return fmt.Errorf("attribute %s: unknown type %s: use text, number, bool or date", a.Name, quoteShort(string(a.Type)))
	}
	if strings.TrimSpace(a.Purpose) == "" {
		return fmt.Errorf("attribute %s has no purpose: say why it is collected, e.g. --purpose \"personalise greetings\"", a.Name)
	}
	return nil
}

func validAttrName(s string) bool {
	if len(s) == 0 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// Parse converts a cell to the attribute's typed value: string, float64,
// bool, or a "YYYY-MM-DD" string for dates. Surrounding white space is
// ignored; an empty cell gives (nil, nil), meaning the value is absent.
func (a Attribute) Parse(raw string) (any, error) {
	s := strings.TrimSpace(raw)
	if s == "" {
		return nil, nil
	}
	switch a.Type {
	case AttrText:
		return parseText(s)
	case AttrNumber:
		return parseNumber(s)
	case AttrBool:
		return parseBool(s)
	case AttrDate:
		return parseDate(s)
	}
	return nil, fmt.Errorf("attribute %s has unknown type %q", a.Name, a.Type)
}

func parseText(s string) (any, error) {
	if len(s) > maxTextBytes {
		return nil, fmt.Errorf("text is %d bytes long; the limit is %d", len(s), maxTextBytes)
	}
	if !utf8.ValidString(s) {
		return nil, fmt.Errorf("text is not valid UTF-8; check the file's encoding")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f {
			return nil, fmt.Errorf("text contains control character %U; remove it", rune(c))
		}
	}
	return s, nil
}

func parseNumber(s string) (any, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("%s is not a number: write it like 1234.5, with a dot and no thousands separators", quoteShort(s))
	}
	return f, nil
}

func parseBool(s string) (any, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return nil, fmt.Errorf("%s is not a yes/no value: use true/false, yes/no or 1/0", quoteShort(s))
}

func parseDate(s string) (any, error) {
	if len(s) == len("2006-01-02") {
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return s, nil
		}
	} else if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.Format(time.DateOnly), nil
	}
	return nil, fmt.Errorf("%s is not a date: write it as YYYY-MM-DD (e.g. 2024-03-31) or RFC 3339", quoteShort(s))
}

// FormatAttr writes an attribute value as text, as an export's CSV cell has it: strings as
// they are, numbers without exponent or trailing zeros, booleans as true/false, nil as "", and
// anything else as JSON.
func FormatAttr(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
