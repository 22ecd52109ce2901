package store

import (
	"context"
	"database/sql"
	"strconv"
)

type sqliteLoader struct {
	conn    *sql.Conn
	payload []byte // the batch as one JSON array, reused
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
	return &sqliteLoader{conn: conn}, nil
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

// load passes the whole batch as one JSON parameter that SQLite unpacks with json_each:
// binding six parameters per row costs more than SQLite's own JSON parser.
func (t *sqliteTx) load(ctx context.Context, rows []stagingRow) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM import_staging`); err != nil {
		return err
	}
	p := append(t.l.payload[:0], '[')
	for i, r := range rows {
		if i > 0 {
			p = append(p, ',')
		}
		p = append(p, '[')
		p = strconv.AppendInt(p, r.num, 10)
		for _, v := range [...]string{r.email, r.canonical, r.phone, r.status} {
			p = append(p, ',')
			p = appendJSONString(p, v)
		}
		p = append(p, ',')
		p = append(p, r.attrs...)
		p = append(p, ']')
	}
	p = append(p, ']')
	t.l.payload = p
	_, err := t.tx.ExecContext(ctx, `INSERT INTO import_staging (num, email, email_canonical, phone, status, attrs)
		SELECT value->>0, value->>1, value->>2, value->>3, value->>4, json(value->5) FROM json_each(?)`, string(p))
	return err
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
