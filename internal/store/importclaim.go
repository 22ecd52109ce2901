package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/clearlist/clearlist/internal/imports"
)

// ErrImportClaimed says that another process is running the import.
var ErrImportClaimed = imports.ErrClaimed

// importLockKey is the PostgreSQL advisory-lock key of an import: a hash of the schema and
// the id, so that clearlist databases in two schemas of one database never share a key.
const importLockKey = `hashtextextended(current_schema() || '/clearlist-import/' || $1::bigint::text, 0)`

// ClaimImport makes this process the one running import id until release is called or the
// process dies (a SIGKILL releases it too): a PostgreSQL session advisory lock (PostgreSQL 11
// or later) on a
// connection of its own, or an exclusive flock on a file beside the SQLite database. It
// returns ErrImportClaimed when another process holds the claim.
func (s *Store) ClaimImport(ctx context.Context, id int64) (release func(), err error) {
	return s.sql.claimImport(s, ctx, id)
}

func (s *Store) claimPostgres(ctx context.Context, id int64) (func(), error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("claim import %d: %w", id, err)
	}
	var ok bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+importLockKey+`)`, id).Scan(&ok); err != nil {
		conn.Close()
		return nil, fmt.Errorf("claim import %d: %w", id, err)
	}
	if !ok {
		conn.Close()
		return nil, fmt.Errorf("import %d: %w", id, ErrImportClaimed)
	}
	return func() {
		conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+importLockKey+`)`, id)
		conn.Close()
	}, nil
}

// claimSQLite locks DB-import-ID.lock beside the database. The file is removed on release;
// a locker checks that the file it locked is still the one at the path, so that two
// processes never hold locks on two different files of one name.
func (s *Store) claimSQLite(id int64) (func(), error) {
	db := strings.TrimPrefix(strings.TrimPrefix(s.dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(db, '?'); i >= 0 {
		db = db[:i]
	}
	if db == "" || strings.Contains(db, ":memory:") || strings.Contains(s.dsn, "mode=memory") {
		return func() {}, nil // an in-memory database is one process's alone
	}
	path := fmt.Sprintf("%s-import-%d.lock", db, id)
	for {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
		if err != nil {
			return nil, fmt.Errorf("claim import %d: %w", id, err)
		}
		if err := lockFile(f); err != nil {
			f.Close()
			if errors.Is(err, ErrImportClaimed) {
				return nil, fmt.Errorf("import %d: %w", id, ErrImportClaimed)
			}
			return nil, fmt.Errorf("claim import %d: lock %s: %w", id, path, err)
		}
		held, err1 := f.Stat()
		now, err2 := os.Stat(path)
		if err1 == nil && err2 == nil && os.SameFile(held, now) {
			return func() {
				os.Remove(path)
				f.Close()
			}, nil
		}
		f.Close() // removed by its last holder meanwhile: lock the new one
	}
}

// UnfinishedImports returns every import of every workspace whose row says it is running.
func (s *Store) UnfinishedImports(ctx context.Context) ([]Import, error) {
	out, err := s.queryImports(ctx, `SELECT `+importColumns+` FROM imports WHERE status = ? ORDER BY id`, ImportRunning)
	if err != nil {
		return nil, fmt.Errorf("unfinished imports: %w", err)
	}
	return out, nil
}
