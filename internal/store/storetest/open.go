// Package storetest opens real test databases (SQLite in a temporary folder, PostgreSQL in a
// fresh schema) and holds the contract suite every store engine must pass.
package storetest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"

	"github.com/clearlist/clearlist/internal/store"
)

// PostgresEnv names the variable with the PostgreSQL URL tests use; RequireEnv, when set to 1,
// turns a missing PostgreSQL into a failure instead of a skip (CI sets it).
const (
	PostgresEnv  = "CLEARLIST_TEST_POSTGRES"
	RequireEnv   = "CLEARLIST_REQUIRE_POSTGRES"
	defaultPGURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

// Engine is one store engine under test.
type Engine struct {
	Name string
	Open func(t testing.TB) *store.Store
	DSN  func(t testing.TB) string // a fresh, empty database's DSN (not yet opened)
}

// Engines returns SQLite and PostgreSQL.
func Engines() []Engine {
	return []Engine{
		{Name: "sqlite", Open: OpenSQLite, DSN: SQLiteDSN},
		{Name: "postgres", Open: OpenPostgres, DSN: PostgresDSN},
	}
}

// ForEach runs fn as a subtest against every engine.
func ForEach(t *testing.T, fn func(t *testing.T, st *store.Store)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open(t)) })
	}
}

// SQLiteDSN returns a path to a new SQLite file in a temporary folder.
func SQLiteDSN(t testing.TB) string {
	return filepath.Join(t.TempDir(), "clearlist.db")
}

// OpenSQLite opens a new SQLite store in a temporary folder.
func OpenSQLite(t testing.TB) *store.Store {
	return open(t, SQLiteDSN(t))
}

// OpenPostgres opens a store in a new schema of the test PostgreSQL server, dropped at the end.
func OpenPostgres(t testing.TB) *store.Store {
	return open(t, PostgresDSN(t))
}

// PostgresDSN creates a fresh schema and returns a URL whose search_path points at it.
// Without a reachable server the test is skipped, or fails when RequireEnv is set.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		base = defaultPGURL
	}
	admin, err := sql.Open("pgx", base)
	if err == nil {
		err = admin.PingContext(context.Background())
	}
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("PostgreSQL at %s is required (%s=1) but unreachable: %v", base, RequireEnv, err)
		}
		t.Skipf("PostgreSQL tests skipped: no server at %s (%v); set %s to a postgres:// URL to run them", base, err, PostgresEnv)
	}
	dsn, drop, err := store.ScratchDSN(context.Background(), base, "", "clearlist_test_")
	if err != nil {
		t.Fatalf("scratch schema: %v", err)
	}
	admin.Close()
	t.Cleanup(func() { drop() })
	return dsn
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}
