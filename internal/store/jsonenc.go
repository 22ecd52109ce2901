package store

import (
	"encoding/json"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"
)

// appendAttrs appends a contact's attributes as a JSON object with sorted keys. It is the
// import's hot path, so the value types attributes have (string, float64, bool) are encoded
// directly; anything else goes through encoding/json.
func appendAttrs(dst []byte, attrs map[string]any) ([]byte, error) {
	if len(attrs) == 0 {
		return append(dst, "{}"...), nil
	}
	var keysBuf [16]string
	keys := keysBuf[:0]
	for k := range attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	dst = append(dst, '{')
	for i, k := range keys {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		switch v := attrs[k].(type) {
		case string:
			dst = appendJSONString(dst, v)
		case bool:
			dst = strconv.AppendBool(dst, v)
		case float64:
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return dst, &json.UnsupportedValueError{Str: strconv.FormatFloat(v, 'g', -1, 64)}
			}
			dst = strconv.AppendFloat(dst, v, 'f', -1, 64)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return dst, err
			}
			dst = append(dst, b...)
		}
	}
	return append(dst, '}'), nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString appends s as a JSON string; invalid UTF-8 becomes U+FFFD as in encoding/json.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			dst = append(dst, s[start:i]...)
			if r == utf8.RuneError {
				dst = append(dst, `\ufffd`...)
			} else {
				dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			}
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEvidence appends a consent entry's evidence as encoding/json would write it (field
// order, omitempty, RFC 3339 time): an import encodes one per ledger entry, and reflection
// was the larger part of preparing an entry.
func appendEvidence(dst []byte, ev consent.Evidence) ([]byte, error) {
	if y := ev.Timestamp.Year(); !ev.Timestamp.IsZero() && (y < 0 || y > 9999) {
		b, err := json.Marshal(ev) // json's own error for a year it cannot write
		return append(dst, b...), err
	}
	start := len(dst)
	dst = append(dst, '{')
	field := func(name, v string) {
		if v == "" {
			return
		}
		if len(dst) > start+1 {
			dst = append(dst, ',')
		}
		dst = append(dst, '"')
		dst = append(dst, name...)
		dst = append(dst, '"', ':')
		dst = appendJSONString(dst, v)
	}
	field("wording", ev.Wording)
	field("form_id", ev.FormID)
	field("form_version", ev.FormVersion)
	field("ip", ev.IP)
	field("user_agent", ev.UserAgent)
	if !ev.Timestamp.IsZero() {
		if len(dst) > start+1 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"timestamp":"`...)
		dst = ev.Timestamp.AppendFormat(dst, time.RFC3339Nano)
		dst = append(dst, '"')
	}
	field("document_ref", ev.DocumentRef)
	field("collector", ev.Collector)
	if ev.Prechecked {
		if len(dst) > start+1 {
			dst = append(dst, ',')
		}
		dst = append(dst, `"prechecked":true`...)
	}
	return append(dst, '}'), nil
}
