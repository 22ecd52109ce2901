package store

import (
	"context"
	"database/sql"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

type postgresLoader struct {
	conn *sql.Conn
}

func newPostgresLoader(ctx context.Context, conn *sql.Conn) (*postgresLoader, error) {
	_, err := conn.ExecContext(ctx, `CREATE TEMP TABLE IF NOT EXISTS import_staging (num BIGINT, email TEXT,
		email_canonical TEXT, phone TEXT, status TEXT, attrs JSONB, existing_id BIGINT) ON COMMIT DELETE ROWS`)
	if err != nil {
		return nil, err
	}
	return &postgresLoader{conn: conn}, nil
}

// begin starts a pgx transaction on the pinned connection; COPY needs the native pgx API.
func (l *postgresLoader) begin(ctx context.Context) (batchTx, error) {
	var pc *pgx.Conn
	if err := l.conn.Raw(func(dc any) error {
		pc = dc.(*stdlib.Conn).Conn()
		return nil
	}); err != nil {
		return nil, err
	}
	tx, err := pc.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &postgresTx{tx: tx}, nil
}

type postgresTx struct{ tx pgx.Tx }

var stagingColumns = []string{"num", "email", "email_canonical", "phone", "status", "attrs"}

func (t *postgresTx) load(ctx context.Context, rows []stagingRow) error {
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"import_staging"}, stagingColumns,
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := &rows[i]
			return []any{r.num, r.email, r.canonical, r.phone, r.status, string(r.attrs)}, nil
		}))
	if err != nil {
		return err
	}
	// Temporary tables get no statistics from autovacuum; without them the planner may scan
	// all contacts for each batch instead of probing the index.
	_, err = t.tx.Exec(ctx, `ANALYZE import_staging`)
	return err
}

func (t *postgresTx) exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := t.tx.Exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

func (t *postgresTx) count(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	err := t.tx.QueryRow(ctx, query, args...).Scan(&n)
	return n, err
}

func (t *postgresTx) commit(ctx context.Context) error { return t.tx.Commit(ctx) }
func (t *postgresTx) rollback(ctx context.Context)     { t.tx.Rollback(ctx) }
