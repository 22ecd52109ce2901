package storetest

import (
	"context"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testJobDB: the background-job runner gets one handle on the store's own database — the
// store's *sql.DB on SQLite, a new pool on PostgreSQL — and through it sees the store's
// tables (on PostgreSQL: the same schema, which the tests' per-test schemas depend on).
func testJobDB(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "jobdb")
	if _, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "seen-by-jobs"}); err != nil {
		t.Fatal(err)
	}
	sqlDB, pool, err := st.JobDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	switch st.Dialect() {
	case store.Postgres:
		if sqlDB != nil || pool == nil {
			t.Fatalf("JobDB on PostgreSQL = %v, %v; want only a pool", sqlDB, pool)
		}
		defer pool.Close()
		err = pool.QueryRow(ctx, `SELECT name FROM lists WHERE workspace_id = $1`, w).Scan(&name)
	default:
		if sqlDB == nil || pool != nil {
			t.Fatalf("JobDB on SQLite = %v, %v; want only the store's *sql.DB", sqlDB, pool)
		}
		err = sqlDB.QueryRowContext(ctx, `SELECT name FROM lists WHERE workspace_id = ?`, w).Scan(&name)
	}
	if err != nil || name != "seen-by-jobs" {
		t.Fatalf("the job handle does not see the store's list: %q, %v", name, err)
	}
}
