package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/clearlist/clearlist/internal/contact"
)

type postgresLoader struct {
	conn *sql.Conn
}

func newPostgresLoader(ctx context.Context, conn *sql.Conn) (*postgresLoader, error) {
	// JIT compiling the merge statements costs more than it saves at batch size.
	if _, err := conn.ExecContext(ctx, `SET jit = off`); err != nil {
		return nil, err
	}
	for _, q := range []string{
		`CREATE TEMP TABLE IF NOT EXISTS import_staging (num BIGINT, email TEXT, email_canonical TEXT COLLATE "C",
			phone TEXT, status TEXT, attrs JSONB) ON COMMIT DELETE ROWS`,
		`CREATE TEMP TABLE IF NOT EXISTS import_ids (email_canonical TEXT COLLATE "C", id BIGINT, is_new BOOLEAN)
			ON COMMIT DELETE ROWS`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return nil, err
		}
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

type postgresTx struct {
	tx   pgx.Tx
	rows int // rows in the staging table
}

var stagingColumns = []string{"num", "email", "email_canonical", "phone", "status", "attrs"}

func (t *postgresTx) load(ctx context.Context, rows []stagingRow) error {
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"import_staging"}, stagingColumns,
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := &rows[i]
			return []any{r.num, r.email, r.canonical, r.phone, r.status, string(r.attrs)}, nil
		}))
	t.rows = len(rows)
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

// mergeRows inserts the batch with ON CONFLICT DO NOTHING, which probes the e-mail index
// once per row as part of the insert; only the rows that hit an existing contact are looked
// up again. Ids go to a narrow temporary table rather than back into the wide staging rows.
func (t *postgresTx) mergeRows(ctx context.Context, b *contact.Batch, now any) (contact.BatchResult, error) {
	var res contact.BatchResult
	n, err := t.exec(ctx, `WITH ins AS (
			INSERT INTO contacts (workspace_id, email, email_canonical, phone, status, attrs, first_source_id, created_at, updated_at)
			SELECT $1, email, email_canonical, phone, status, attrs, $2, $3, $3 FROM import_staging
			ORDER BY num ON CONFLICT DO NOTHING
			RETURNING id, email_canonical)
		INSERT INTO import_ids (email_canonical, id, is_new) SELECT email_canonical, id, true FROM ins`,
		b.WorkspaceID, b.SourceID, now)
	if err != nil {
		return res, fmt.Errorf("insert contacts: %w", err)
	}
	res.Inserted = int(n)
	if n < int64(t.rows) {
		existing, err := t.exec(ctx, `INSERT INTO import_ids (email_canonical, id, is_new)
			SELECT st.email_canonical, c.id, false FROM import_staging st
			JOIN contacts c ON c.workspace_id = $1 AND c.email_canonical = st.email_canonical
			WHERE NOT EXISTS (SELECT 1 FROM import_ids i WHERE i.email_canonical = st.email_canonical)`, b.WorkspaceID)
		if err != nil {
			return res, fmt.Errorf("match existing contacts: %w", err)
		}
		if err := t.mergeExisting(ctx, b, now, existing, &res); err != nil {
			return res, err
		}
	}
	if b.ListID != 0 {
		if _, err := t.exec(ctx, `INSERT INTO list_members (list_id, contact_id, workspace_id, source_id, added_at)
			SELECT $1, id, $2, $3, $4 FROM import_ids ON CONFLICT DO NOTHING`,
			b.ListID, b.WorkspaceID, b.SourceID, now); err != nil {
			return res, fmt.Errorf("add list members: %w", err)
		}
	}
	return res, nil
}

// mergeExisting updates (or, in skip mode, leaves) the contacts the batch matched, and records
// that this source touched them. Status is never changed by an import.
func (t *postgresTx) mergeExisting(ctx context.Context, b *contact.Batch, now any, existing int64, res *contact.BatchResult) error {
	if b.OnConflict == contact.ConflictSkip {
		res.Skipped = int(existing)
	} else {
		upd, err := t.exec(ctx, `UPDATE contacts SET email = st.email,
			phone = CASE WHEN st.phone <> '' THEN st.phone ELSE contacts.phone END,
			attrs = contacts.attrs || st.attrs, updated_at = $1
			FROM import_ids i JOIN import_staging st ON st.email_canonical = i.email_canonical
			WHERE NOT i.is_new AND contacts.id = i.id AND (contacts.email <> st.email
			OR (st.phone <> '' AND contacts.phone <> st.phone) OR contacts.attrs || st.attrs <> contacts.attrs)`, now)
		if err != nil {
			return fmt.Errorf("update contacts: %w", err)
		}
		res.Updated, res.Unchanged = int(upd), int(existing-upd)
	}
	_, err := t.exec(ctx, `INSERT INTO contact_sources (contact_id, source_id, workspace_id, added_at)
		SELECT c.id, $1, c.workspace_id, $2 FROM import_ids i JOIN contacts c ON c.id = i.id
		WHERE NOT i.is_new AND c.first_source_id <> $1 ON CONFLICT DO NOTHING`, b.SourceID, now)
	if err != nil {
		return fmt.Errorf("record contact sources: %w", err)
	}
	return nil
}
