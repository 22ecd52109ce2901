package web

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestUploadsArePrivate: an uploads folder others could read is narrowed to 0700 at the next
// upload, and the stored upload is 0600.
func TestUploadsArePrivate(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	dir := filepath.Join(e.dataDir, "uploads")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o755)
	r := e.doAs(e.token, "POST", "/api/v1/imports?source_type=api&dry_run=true&file_name=a.csv", []byte("email\na@example.com\n"), "text/csv")
	want(t, r, http.StatusAccepted)
	files, _ := os.ReadDir(dir)
	if len(files) == 0 {
		t.Fatal("no upload stored")
	}
	for p, m := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, files[0].Name()): 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != m {
			t.Errorf("%s mode %o, want %o", filepath.Base(p), fi.Mode().Perm(), m)
		}
	}
}
