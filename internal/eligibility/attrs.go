package eligibility

import "encoding/json"

// eligibilityAttrs are the attributes fact assembly reads, as raw JSON values: strings
// without their quotes, other values as written.
type eligibilityAttrs struct {
	country, region, lastPurchase, lastInquiry, customer, softOptInNotice []byte
}

// scanAttrs reads the flat JSON object of a contact's attributes (as either engine returns
// it) and keeps the values fact assembly needs, without allocating unless a string holds
// escapes. A malformed object leaves the attributes it could not reach unset.
func scanAttrs(obj []byte, out *eligibilityAttrs) {
	*out = eligibilityAttrs{}
	i := skipSpace(obj, 0)
	if i >= len(obj) || obj[i] != '{' {
		return
	}
	i++
	for {
		i = skipSpace(obj, i)
		if i >= len(obj) || obj[i] != '"' {
			return
		}
		key, next, ok := jsonString(obj, i)
		if !ok {
			return
		}
		i = skipSpace(obj, next)
		if i >= len(obj) || obj[i] != ':' {
			return
		}
		i = skipSpace(obj, i+1)
		var val []byte
		if i < len(obj) && obj[i] == '"' {
			if val, next, ok = jsonString(obj, i); !ok {
				return
			}
		} else if val, next, ok = jsonOther(obj, i); !ok {
			return
		}
		if string(val) == "null" {
			val = nil
		}
		switch string(key) {
		case "country":
			out.country = val
		case "region":
			out.region = val
		case "last_purchase":
			out.lastPurchase = val
		case "last_inquiry":
			out.lastInquiry = val
		case "customer":
			out.customer = val
		case "soft_opt_in_notice":
			out.softOptInNotice = val
		}
		i = skipSpace(obj, next)
		if i >= len(obj) || obj[i] != ',' {
			return
		}
		i++
	}
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonString reads the string starting at the quote b[i], returning its content and the
// index after the closing quote. Content with escapes is decoded (the one allocating case).
func jsonString(b []byte, i int) (s []byte, next int, ok bool) {
	escaped := false
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			escaped = true
			j++
		case '"':
			if !escaped {
				return b[i+1 : j], j + 1, true
			}
			var v string
			if json.Unmarshal(b[i:j+1], &v) != nil {
				return nil, 0, false
			}
			return []byte(v), j + 1, true
		}
	}
	return nil, 0, false
}

// jsonOther reads a number, true, false, null, or a nested array or object (skipped whole).
func jsonOther(b []byte, i int) (v []byte, next int, ok bool) {
	depth := 0
	for j := i; j < len(b); j++ {
		switch c := b[j]; c {
		case '"':
			if depth == 0 {
				return nil, 0, false
			}
			if _, n, ok := jsonString(b, j); ok {
				j = n - 1
			} else {
				return nil, 0, false
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return b[i:j], j, j > i
			}
			depth--
			if depth == 0 {
				return b[i : j+1], j + 1, true
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return b[i:j], j, j > i
			}
		}
	}
	return nil, 0, false
}
