package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/pressly/goose/v3"
)

// dialectSQL is what differs between the engines in the SQL the store writes: one value per
// engine (sqliteSQL, postgresSQL), chosen at Open. Queries are written once, with ? for
// placeholders, and ask the dialect for the few words that differ (locks, ids taken before an
// insert, JSON operators). The bulk load of imports (COPY against multi-row INSERT) and the
// import claim (advisory lock against flock) are whole functions per engine, named here.
type dialectSQL struct {
	name         Dialect
	dollarParams bool          // placeholders are $1, $2, … (Store.q rewrites ?)
	migrations   string        // folder of the engine's migrations under migrations/
	goose        goose.Dialect // the migration runner's name for the engine
	// forUpdate locks the rows a SELECT reads until the transaction ends; empty where the
	// write transaction is exclusive already (SQLite's BEGIN IMMEDIATE).
	forUpdate string
	// forNoKeyUpdate is forUpdate that still lets other writers insert rows referring to the row.
	forNoKeyUpdate string
	// skipLockedOf locks the rows of one table alias of a SELECT and skips those another
	// transaction holds (%s is the alias); empty where there is one writer anyway.
	skipLockedOf string
	// noIndex prefixes a column in a WHERE clause to keep the planner off that column's
	// index (SQLite's unary +); empty where the planner needs no such hint.
	noIndex string
	// jsonTextOf is the text of a key (second %s) of a JSON column (first %s), NULL when absent.
	jsonTextOf string
	// hourOf is a timestamp column ({} is the column) truncated to its hour in UTC, as text
	// "YYYY-MM-DD HH:00:00" (campaign reports per hour).
	hourOf string
	// timeText is a timestamp expression ({}) as UTC text to the second, "YYYY-MM-DD HH:MM:SS"
	// (read alike from both engines: an aggregate of a SQLite column has no declared type).
	timeText string
	// strpos is the function giving the 1-based position of a substring, 0 when absent.
	strpos string
	// advisoryXactLock takes a transaction-scoped lock on (class, key), one ? for the key;
	// empty where the write transaction is exclusive already.
	advisoryXactLock string
	// nextIDOf is the expression giving a table's next id before the insert (%s is the table);
	// on SQLite the writer is alone, so the highest id plus one is free.
	nextIDOf string
	// freshWorkspaceID is the id expression for a new workspace: on SQLite above every id a
	// deleted workspace had (SQLite's rowid would reuse one), elsewhere the identity's next.
	freshWorkspaceID string
	importWriters    int  // batch writers an import runs at once
	ownJobPool       bool // River needs a pgx pool of its own rather than the store's *sql.DB
	bulkCopy         bool // bulk loads use COPY through the native driver
	// sessionLocks: process claims are session advisory locks on a connection of their own;
	// without them, exclusive flocks on files beside the database.
	sessionLocks bool
	// arrayParams: a query may take Go slices as array parameters (unnest), so a batch of row
	// updates is one statement (the send log's outcomes).
	arrayParams bool

	newLoader   func(ctx context.Context, conn *sql.Conn) (stagingLoader, error)
	claimImport func(s *Store, ctx context.Context, id int64) (func(), error)
}

var sqliteSQL = dialectSQL{
	name:       SQLite,
	migrations: "migrations/sqlite",
	goose:      goose.DialectSQLite3,
	noIndex:    "+",
	strpos:     "instr",
	// The driver stores a time as Go prints it ("2006-01-02 15:04:05.999 +0000 UTC"), and
	// the store writes UTC, so the leading characters are the UTC text.
	hourOf:     `substr({}, 1, 13) || ':00:00'`,
	timeText:   `substr({}, 1, 19)`,
	jsonTextOf: `json_extract(%s, '$.%s')`,
	nextIDOf:   `(SELECT COALESCE(MAX(id), 0) + 1 FROM %s)`,
	freshWorkspaceID: `(SELECT COALESCE(MAX(id), 0) + 1 FROM
		(SELECT id FROM workspaces UNION ALL SELECT id FROM deleted_workspaces))`,
	importWriters: 1,
	newLoader: func(ctx context.Context, conn *sql.Conn) (stagingLoader, error) {
		return newSQLiteLoader(ctx, conn)
	},
	claimImport: func(s *Store, _ context.Context, id int64) (func(), error) { return s.claimSQLite(id) },
}

var postgresSQL = dialectSQL{
	name:             Postgres,
	dollarParams:     true,
	migrations:       "migrations/postgres",
	goose:            goose.DialectPostgres,
	forUpdate:        " FOR UPDATE",
	forNoKeyUpdate:   " FOR NO KEY UPDATE",
	skipLockedOf:     " FOR UPDATE OF %s SKIP LOCKED",
	strpos:           "strpos",
	hourOf:           `to_char(date_trunc('hour', {} AT TIME ZONE 'UTC'), 'YYYY-MM-DD HH24:00:00')`,
	timeText:         `to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')`,
	jsonTextOf:       `%s->>'%s'`,
	advisoryXactLock: `SELECT pg_advisory_xact_lock(%d, CAST(? AS integer))`,
	nextIDOf:         `nextval(pg_get_serial_sequence('%s', 'id'))`,
	freshWorkspaceID: `DEFAULT`,
	// A second connection lets the server work on one batch while it finishes the other.
	importWriters: 2,
	ownJobPool:    true,
	bulkCopy:      true,
	sessionLocks:  true,
	arrayParams:   true,
	newLoader: func(ctx context.Context, conn *sql.Conn) (stagingLoader, error) {
		return newPostgresLoader(ctx, conn)
	},
	claimImport: (*Store).claimPostgres,
}

// nextID is the expression for table's next id, taken before the insert (ids that are hashed).
func (d dialectSQL) nextID(table string) string { return fmt.Sprintf(d.nextIDOf, table) }

// skipLocked is the clause that locks the rows of alias and skips rows others hold.
func (d dialectSQL) skipLocked(alias string) string {
	if d.skipLockedOf == "" {
		return ""
	}
	return fmt.Sprintf(d.skipLockedOf, alias)
}

// jsonText is the expression for the text of key in the JSON column col (NULL when absent).
func (d dialectSQL) jsonText(col, key string) string { return fmt.Sprintf(d.jsonTextOf, col, key) }

// contains is the condition "col contains the text of the next placeholder".
func (d dialectSQL) contains(col string) string { return d.strpos + `(` + col + `, ?) > 0` }

// lockClass runs the transaction-scoped advisory lock of class on key, where the engine has
// one; elsewhere the write transaction is exclusive and nothing needs doing.
func (s *Store) lockClass(ctx context.Context, tx *sql.Tx, class int32, key int64) error {
	if s.sql.advisoryXactLock == "" {
		return nil
	}
	_, err := tx.ExecContext(ctx, s.q(fmt.Sprintf(s.sql.advisoryXactLock, class)), key)
	return err
}
