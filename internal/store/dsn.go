package store

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// checkDSN refuses what clearlist cannot open before a driver turns it into a puzzling
// error: a URL of another engine (taken for a SQLite file name otherwise) and a SQLite
// file in a folder that does not exist.
func checkDSN(dsn string) error {
	if isPostgres(dsn) {
		return nil
	}
	if i := strings.Index(dsn, "://"); i > 0 && !strings.ContainsAny(dsn[:i], `/\.`) {
		return fmt.Errorf("--db %q: %s databases are not supported; give a SQLite file path (e.g. clearlist.db) or a postgres:// URL",
			redact(dsn), dsn[:i])
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" || path == ":memory:" {
		return nil
	}
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	switch {
	case err != nil && os.IsNotExist(err):
		return fmt.Errorf("--db %q: the folder %s does not exist; create it (mkdir -p %s) or give another path", dsn, dir, dir)
	case err != nil:
		return fmt.Errorf("--db %q: cannot use the folder %s: %w", dsn, dir, err)
	case !st.IsDir():
		return fmt.Errorf("--db %q: %s is not a folder; give a path inside a folder", dsn, dir)
	}
	return nil
}

// redact hides a password in a URL-shaped DSN for error messages.
func redact(dsn string) string {
	at := strings.LastIndexByte(dsn, '@')
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return dsn
	}
	cred := dsn[scheme+3 : at]
	if i := strings.IndexByte(cred, ':'); i >= 0 {
		return dsn[:scheme+3] + cred[:i] + ":***" + dsn[at:]
	}
	return dsn
}

// Exists reports whether the database named by dsn is there to be opened without creating
// it: a PostgreSQL URL always is; a SQLite file when the file exists.
func Exists(dsn string) bool {
	if dsn == "" {
		dsn = DefaultDSN
	}
	if isPostgres(dsn) {
		return true
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	_, err := os.Stat(path)
	return err == nil
}
