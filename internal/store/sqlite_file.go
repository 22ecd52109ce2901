package store

import (
	"errors"
	"io/fs"
	"os"
	"strings"

	"github.com/clearlist/clearlist/internal/privfile"
)

// privateSQLiteFile creates the SQLite file named by dsn readable by its owner only (SQLite
// gives its -wal and -shm files the same mode), and narrows an existing file and its
// companions that others could read. In-memory and read-only databases are left to SQLite.
func privateSQLiteFile(dsn string) error {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	path, query, _ := strings.Cut(path, "?")
	if path == "" || path == ":memory:" || strings.Contains(query, "mode=memory") || strings.Contains(query, "mode=ro") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, privfile.File)
	switch {
	case err == nil:
		return f.Close()
	case !errors.Is(err, fs.ErrExist):
		return nil // SQLite itself reports a missing folder or a read-only place, in its words
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		// A file of another owner cannot be narrowed by us, and is not ours to change.
		if err := privfile.Narrow(path + suffix); err != nil && !errors.Is(err, fs.ErrPermission) {
			return err
		}
	}
	return nil
}
