package render

import (
	"errors"
	"fmt"
	"strings"
)

// valueFunc is appended to every output action of the text templates (subject, preheader,
// text) so that a missing key prints nothing: text/template would print "<no value>".
// html/template already prints nothing.
const valueFunc = "clearlistValue"

// The functions the derived text part applies to an action in a link (see urlAction).
const (
	urlStartFunc = "clearlistURLStart"
	urlPathFunc  = "clearlistURLPath"
	urlQueryFunc = "clearlistURLQuery"
)

// funcs are the functions templates may call besides text/template's builtins. "call" is
// replaced by one that always fails: templates never call functions or methods held in data.
var funcs = map[string]any{
	"call":       func(...any) (string, error) { return "", errors.New("call is not available in templates") },
	"default":    defaultValue,
	"upper":      func(v any) string { return strings.ToUpper(toString(v)) },
	"lower":      func(v any) string { return strings.ToLower(toString(v)) },
	"trim":       func(v any) string { return strings.TrimSpace(toString(v)) },
	urlStartFunc: func(v any) string { return urlProcess(true, urlFilter(urlString(v))) },
	urlPathFunc:  func(v any) string { return urlProcess(true, urlString(v)) },
	urlQueryFunc: func(v any) string { return urlProcess(false, urlString(v)) },
	valueFunc: func(v any) any {
		if v == nil {
			return ""
		}
		return v
	},
}

// defaultValue is {{default "friend" .Contact.first_name}}: the value when it is set and not
// empty, the fallback otherwise.
func defaultValue(fallback, v any) any {
	switch x := v.(type) {
	case nil:
		return fallback
	case string:
		if strings.TrimSpace(x) == "" {
			return fallback
		}
	}
	return v
}

func toString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// urlString is the text html/template's URL escapers start from: nothing for nil.
func urlString(v any) string {
	if v == nil {
		return ""
	}
	return toString(v)
}
