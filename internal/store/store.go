// Package store is the only package that speaks SQL: it persists every domain type in
// SQLite (the embedded default) or PostgreSQL, and runs the embedded migrations on open.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"github.com/clearlist/clearlist/internal/errs"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/clearlist/clearlist/internal/keywrap"
	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations
var migrations embed.FS

// Dialect names the SQL engine behind a Store.
type Dialect string

// The engines clearlist runs on.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// ErrNotFound is returned when the asked-for row does not exist in the workspace.
var ErrNotFound = errs.ErrNotFound

// ErrConflict is returned when a write would break a uniqueness rule (a name already taken).
var ErrConflict = errs.ErrConflict

// Store is a handle on the database; it is safe for concurrent use.
type Store struct {
	db      *sql.DB
	sql     dialectSQL // the engine and its words for what differs (dialect.go)
	dsn     string
	rebinds sync.Map     // query text -> rebound text for PostgreSQL
	key     *keywrap.Key // wraps stored secrets; nil keeps them in clear

	auditKeys sync.Map // workspace id -> audit key (see auditKeyTx)
	auditOff  bool     // set only by tests, to measure what the audit entry costs
	idSeqs    sync.Map // table -> its id sequence's quoted name, PostgreSQL (see tableIDs)
}

// DefaultDSN is the SQLite file used when no database is given.
const DefaultDSN = "clearlist.db"

// Open connects to the database named by dsn (a postgres:// or postgresql:// URL, or a
// SQLite file path, optionally prefixed with sqlite: or file:), runs pending migrations and
// creates the default workspace in a fresh database. A SQLite file is created readable by its
// owner only. When the database's secrets are wrapped, Open needs the key (WithSecretKey) and
// fails with ErrSecretKeyNeeded without it or with another key.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	if dsn == "" {
		dsn = DefaultDSN
	}
	if err := checkDSN(dsn); err != nil {
		return nil, err
	}
	s := &Store{dsn: dsn}
	for _, o := range opts {
		o(s)
	}
	var err error
	if isPostgres(dsn) {
		s.sql = postgresSQL
		s.db, err = sql.Open("pgx", dsn)
		if err == nil {
			s.db.SetMaxOpenConns(16)
			s.db.SetMaxIdleConns(16)
		}
	} else {
		s.sql = sqliteSQL
		err = privateSQLiteFile(dsn)
		if err == nil {
			s.db, err = sql.Open("sqlite", sqliteDSN(dsn))
		}
		if err == nil {
			// One writer at a time is SQLite's rule; readers use WAL snapshots.
			s.db.SetMaxOpenConns(8)
			s.db.SetMaxIdleConns(8)
			s.db.SetConnMaxIdleTime(0)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.db.PingContext(pingCtx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("connect to %s database: %w (check --db / CLEARLIST_DB)", s.sql.name, err)
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := s.checkSecrets(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	if err := s.ensureDefaultWorkspace(ctx); err != nil {
		s.db.Close()
		return nil, err
	}
	return s, nil
}

func sqliteDSN(dsn string) string {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	params := "_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)" +
		"&_pragma=foreign_keys(ON)&_txlock=immediate"
	if i := strings.IndexByte(path, '?'); i >= 0 {
		return "file:" + path + "&" + params
	}
	return "file:" + path + "?" + params
}

func (s *Store) migrate(ctx context.Context) error {
	sub, err := fs.Sub(migrations, s.sql.migrations)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(s.sql.goose, s.db, sub)
	if err != nil {
		return fmt.Errorf("prepare migrations: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("run migrations: %w", err)
	}
	return nil
}

// Close releases the database connections.
func (s *Store) Close() error { return s.db.Close() }

// Dialect reports which engine this store runs on.
func (s *Store) Dialect() Dialect { return s.sql.name }

// DB exposes the connection pool for health checks.
func (s *Store) DB() *sql.DB { return s.db }

// q returns the query with placeholders in the engine's form: SQLite takes ?, PostgreSQL $n.
func (s *Store) q(query string) string {
	if !s.sql.dollarParams {
		return query
	}
	if v, ok := s.rebinds.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	out := b.String()
	s.rebinds.Store(query, out)
	return out
}

// insertID runs an INSERT … RETURNING id and returns the new id.
func (s *Store) insertID(ctx context.Context, ex execer, query string, args ...any) (int64, error) {
	var id int64
	err := ex.QueryRowContext(ctx, s.q(query+" RETURNING id"), args...).Scan(&id)
	return id, mapErr(err)
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// mapErr turns engine-specific errors into the store's sentinel errors.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if isUniqueViolation(err) {
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

// pgUniqueViolation is PostgreSQL's SQLSTATE for unique_violation.
const pgUniqueViolation = "23505"

// isUniqueViolation reports whether err is a unique or primary-key violation, by the engine's
// error code (PostgreSQL's SQLSTATE 23505; SQLite's extended result codes), not its wording.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == pgUniqueViolation
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		code := sqErr.Code()
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// now is the store's clock, truncated to microseconds so both engines round-trip it.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

var _ = stdlib.GetDefaultDriver // keep the pgx driver registered
