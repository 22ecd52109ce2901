package contact

import (
	"slices"
	"strings"
	"testing"
)

func TestReadAddresses(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string
	}{
		{"plain list", "ann@example.com\nbob@example.com\n\n", []string{"ann@example.com", "bob@example.com"}},
		{"header email", "email\nann@example.com\n", []string{"ann@example.com"}},
		{"quoted comma before the address", "name,E-Mail Address\n\"Smith, Ann\",ann@example.com\n\"Doe; Bob\",bob@example.com\n",
			[]string{"ann@example.com", "bob@example.com"}},
		{"semicolons", "name;email\nAnn;ann@example.com\n", []string{"ann@example.com"}},
		{"tabs, address first", "email\tname\nann@example.com\tAnn, Smith\n", []string{"ann@example.com"}},
		{"no email column: the first", "who,note\nann@example.com,x\n", []string{"ann@example.com"}},
		{"quoted address", "\"ann@example.com\"\n", []string{"ann@example.com"}},
	} {
		got, err := ReadAddresses(strings.NewReader(tc.in))
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("%s: ReadAddresses = %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	if _, err := ReadAddresses(strings.NewReader("name,email\n\"unclosed,ann@example.com\n")); err == nil {
		t.Error("a broken quote was not reported")
	}
}
