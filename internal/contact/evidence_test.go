package contact

import (
	"strings"
	"testing"
)

func TestCheckEvidence(t *testing.T) {
	got, err := CheckEvidence(map[string]string{" Double_Opt_In ": "yes", "form_url": " https://example.com/f "})
	if err != nil || got["double_opt_in"] != "yes" || got["form_url"] != "https://example.com/f" || len(got) != 2 {
		t.Fatalf("CheckEvidence = %v, %v", got, err)
	}
	for _, tt := range []struct {
		ev   map[string]string
		want string
	}{
		{map[string]string{"doubel_opt_in": "yes"}, "use one of collection_evidence, document, double_opt_in"},
		{map[string]string{"import_file": "x.csv"}, "is unknown"},
		{map[string]string{"wording": "a\x00b"}, "control character"},
		{map[string]string{"wording": strings.Repeat("x", 5000)}, "longer than"},
	} {
		if _, err := CheckEvidence(tt.ev); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckEvidence(%.40v) = %v, want an error with %q", tt.ev, err, tt.want)
		}
	}
}
