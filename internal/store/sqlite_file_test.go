package store_test

import (
	"context"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
)

func perm(t *testing.T, p string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

// TestSQLiteFileIsPrivate: a new database file and its WAL are 0600 under the usual umask,
// and an existing 0644 database is narrowed when opened.
func TestSQLiteFileIsPrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	path := filepath.Join(t.TempDir(), "clearlist.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.EnsureWorkspace(context.Background(), "other"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if m := perm(t, p); m != 0o600 {
			t.Errorf("%s mode %o, want 600", filepath.Base(p), m)
		}
	}
	st.Close()

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if m := perm(t, path); m != 0o600 {
		t.Errorf("existing database left at mode %o, want 600", m)
	}
}
