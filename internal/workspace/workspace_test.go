package workspace

import (
	"strings"
	"testing"
)

func TestValidName(t *testing.T) {
	for _, ok := range []string{"default", "acme-ltd", "client_b", "0", "a" + strings.Repeat("b", 62)} {
		if err := ValidName(ok); err != nil {
			t.Errorf("ValidName(%q) = %v, want nil", ok, err)
		}
	}
	for _, bad := range []string{"", "../../etc", "<script>", "Default", "-lead", "_lead", "a b", "a/b", "a.b",
		"é", "a\n", "a" + strings.Repeat("b", 63), "%2e%2e"} {
		err := ValidName(bad)
		if err == nil {
			t.Errorf("ValidName(%q) = nil, want an error", bad)
			continue
		}
		if !strings.Contains(err.Error(), "lower-case letters, digits") {
			t.Errorf("ValidName(%q) = %q: does not say what is allowed", bad, err)
		}
	}
}
