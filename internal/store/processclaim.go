package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// processLockKey is the PostgreSQL advisory-lock key of a process name, kept apart from the
// imports' keys and from other schemas' by its prefix.
const processLockKey = `hashtextextended(current_schema() || '/clearlist-process/' || $1::text, 0)`

// ClaimProcess marks this process as alive under name (its job client's ID) until release is
// called or the process dies (SIGKILL too): a PostgreSQL session advisory lock on a
// connection of its own, or an exclusive flock on a file beside the SQLite database. Another
// process asks ProcessAlive.
func (s *Store) ClaimProcess(ctx context.Context, name string) (release func(), err error) {
	if s.dialect == Postgres {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return nil, fmt.Errorf("claim process %s: %w", name, err)
		}
		var ok bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+processLockKey+`)`, name).Scan(&ok); err != nil {
			conn.Close()
			return nil, fmt.Errorf("claim process %s: %w", name, err)
		}
		if !ok {
			conn.Close()
			return nil, fmt.Errorf("claim process %s: another process holds that name", name)
		}
		return func() {
			conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+processLockKey+`)`, name)
			conn.Close()
		}, nil
	}
	path, ok := s.processLockPath(name)
	if !ok {
		return func() {}, nil // an in-memory database is one process's alone
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("claim process %s: %w", name, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("claim process %s: lock %s: %w", name, path, err)
	}
	return func() {
		os.Remove(path)
		f.Close()
	}, nil
}

// ProcessAlive reports whether a process holds the claim on name (see ClaimProcess). A name
// never claimed, or claimed by a process since dead, is not alive; the dead one's lock file
// is removed.
func (s *Store) ProcessAlive(ctx context.Context, name string) (bool, error) {
	if s.dialect == Postgres {
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return false, err
		}
		defer conn.Close()
		var got bool
		if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(`+processLockKey+`)`, name).Scan(&got); err != nil {
			return false, fmt.Errorf("is process %s alive: %w", name, err)
		}
		if got {
			_, err = conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+processLockKey+`)`, name)
		}
		return !got, err
	}
	path, ok := s.processLockPath(name)
	if !ok {
		return false, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("is process %s alive: %w", name, err)
	}
	defer f.Close()
	err = lockFile(f)
	if errors.Is(err, ErrImportClaimed) {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("is process %s alive: lock %s: %w", name, path, err)
	}
	os.Remove(path) // its holder died; the file would be left forever
	return false, nil
}

// processLockPath is the lock file of a process name beside the SQLite database; ok is false
// for an in-memory database.
func (s *Store) processLockPath(name string) (string, bool) {
	db := strings.TrimPrefix(strings.TrimPrefix(s.dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(db, '?'); i >= 0 {
		db = db[:i]
	}
	if db == "" || strings.Contains(db, ":memory:") || strings.Contains(s.dsn, "mode=memory") {
		return "", false
	}
	h := sha256.Sum256([]byte(name))
	return fmt.Sprintf("%s-process-%s.lock", db, hex.EncodeToString(h[:8])), true
}
