package esp

import (
	"strings"
	"testing"
)

// TestDecodeJSONBounds: brackets inside strings (escaped quotes too) do not count toward the
// depth; real nesting beyond maxDepth, broken JSON and trailing values are refused.
func TestDecodeJSONBounds(t *testing.T) {
	var v any
	deepString := `{"a":"` + strings.Repeat(`[{\"`, 100) + `"}`
	if err := decodeJSON([]byte(deepString), &v); err != nil {
		t.Errorf("brackets in a string: %v", err)
	}
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	if err := decodeJSON([]byte(ok), &v); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	for name, body := range map[string]string{
		"deep":     strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
		"broken":   `{"a":`,
		"trailing": `{} {}`,
		"empty":    ``,
	} {
		if err := decodeJSON([]byte(body), &v); err == nil {
			t.Errorf("%s: taken", name)
		}
	}
}
