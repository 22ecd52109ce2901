package imports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEstimateRows: a small file's rows are counted (header left out), a large file's are
// estimated from the length of its first lines, and a missing or empty file is unknown.
func TestEstimateRows(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := "someone@example.org,Some One\n" // 29 bytes
	for _, c := range []struct {
		name, data string
		want       int64
	}{
		{"small.csv", "email\n" + strings.Repeat(line, 10), 10},
		{"no-final-newline.csv", "email\na@example.org", 1},
		{"large.csv", strings.Repeat(line, 10000), 9999},
		{"empty.csv", "", 0},
	} {
		// An estimate (the large file) may miss by the part line its sample ends in: 1 %.
		if got := estimateRows(write(c.name, c.data)); got < c.want*99/100 || got > c.want {
			t.Errorf("%s: %d rows, want %d", c.name, got, c.want)
		}
	}
	if got := estimateRows(filepath.Join(dir, "gone.csv")); got != 0 {
		t.Errorf("missing file: %d", got)
	}
}
