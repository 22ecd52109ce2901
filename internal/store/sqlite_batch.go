package store

import (
	"context"
	"database/sql"
	"strings"
)

// sqliteChunk is how many staging rows one multi-row INSERT carries (6 parameters each,
// well under SQLite's 32,766-parameter limit).
const sqliteChunk = 500

type sqliteLoader struct {
	conn *sql.Conn
	full *sql.Stmt // INSERT of sqliteChunk rows
}

func newSQLiteLoader(ctx context.Context, conn *sql.Conn) (*sqliteLoader, error) {
	for _, q := range []string{
		`PRAGMA temp_store = MEMORY`,
		`CREATE TEMP TABLE IF NOT EXISTS import_staging (num INTEGER, email TEXT, email_canonical TEXT,
			phone TEXT, status TEXT, attrs TEXT, existing_id INTEGER)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	full, err := conn.PrepareContext(ctx, sqliteInsert(sqliteChunk))
	if err != nil {
		return nil, err
	}
	return &sqliteLoader{conn: conn, full: full}, nil
}

func sqliteInsert(n int) string {
	var b strings.Builder
	b.WriteString(`INSERT INTO import_staging (num, email, email_canonical, phone, status, attrs) VALUES `)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`(?,?,?,?,?,?)`)
	}
	return b.String()
}

func (l *sqliteLoader) begin(ctx context.Context) (batchTx, error) {
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &sqliteTx{l: l, tx: tx}, nil
}

type sqliteTx struct {
	l  *sqliteLoader
	tx *sql.Tx
}

func (t *sqliteTx) load(ctx context.Context, rows []stagingRow) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM import_staging`); err != nil {
		return err
	}
	full := t.tx.StmtContext(ctx, t.l.full)
	args := make([]any, 0, sqliteChunk*6)
	for len(rows) > 0 {
		n := min(len(rows), sqliteChunk)
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r.num, r.email, r.canonical, r.phone, r.status, r.attrsJS)
		}
		var err error
		if n == sqliteChunk {
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = t.tx.ExecContext(ctx, sqliteInsert(n), args...)
		}
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

func (t *sqliteTx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := t.tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (t *sqliteTx) count(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := t.tx.QueryRowContext(ctx, query, args...).Scan(&n)
	return n, err
}

func (t *sqliteTx) commit(context.Context) error { return t.tx.Commit() }
func (t *sqliteTx) rollback(context.Context)     { t.tx.Rollback() }
