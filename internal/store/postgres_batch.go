package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/clearlist/clearlist/internal/consent"
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
			phone TEXT, status TEXT, country TEXT, contact_kind TEXT, attrs JSONB, source_id BIGINT) ON COMMIT DELETE ROWS`,
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

var stagingColumns = []string{"num", "email", "email_canonical", "phone", "status", "country", "contact_kind", "attrs", "source_id"}

func (t *postgresTx) load(ctx context.Context, rows []stagingRow) error {
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"import_staging"}, stagingColumns,
		pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
			r := &rows[i]
			return []any{r.num, r.email, r.canonical, r.phone, r.status, r.country, r.kind, string(r.attrs), r.source}, nil
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

// probeContacts finds each staging row's contact by one index probe. A scalar subquery is
// never turned into a join, so the planner cannot choose to hash all of a workspace's
// contacts per batch, as it did when a large import outran the table's statistics.
const probeContacts = `SELECT st.email_canonical, (SELECT c.id FROM contacts c
	WHERE c.workspace_id = $1 AND c.email_canonical = st.email_canonical) AS id FROM import_staging st`

// mergeRows looks the batch's addresses up once (an index probe per row), then inserts the
// new contacts and their memberships with plain INSERTs: ON CONFLICT's speculative insertion
// costs about twice as much per row. Should a concurrent writer add one of the addresses in
// between, the plain insert fails on the unique index; the batch then goes again from a
// savepoint, the careful way (mergeCareful). Ids go to a narrow temporary table, not into
// the staging rows.
func (t *postgresTx) mergeRows(ctx context.Context, b *contact.Batch, now any) (contact.BatchResult, error) {
	if _, err := t.tx.Exec(ctx, `SAVEPOINT merge`); err != nil {
		return contact.BatchResult{}, err
	}
	res, err := t.mergeFast(ctx, b, now)
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != pgUniqueViolation {
		return res, err
	}
	if _, err := t.tx.Exec(ctx, `ROLLBACK TO SAVEPOINT merge`); err != nil {
		return contact.BatchResult{}, err
	}
	return t.mergeCareful(ctx, b, now)
}

func (t *postgresTx) mergeFast(ctx context.Context, b *contact.Batch, now any) (contact.BatchResult, error) {
	var res contact.BatchResult
	existing, err := t.linkExisting(ctx, b.WorkspaceID)
	if err != nil {
		return res, err
	}
	if existing > 0 {
		if err := t.mergeExisting(ctx, b, now, existing, &res); err != nil {
			return res, err
		}
	}
	if int(existing) < t.rows {
		n, err := t.exec(ctx, fmt.Sprintf(insertNewContacts, ""), b.WorkspaceID, b.SourceID, now)
		if err != nil {
			return res, fmt.Errorf("insert contacts: %w", err)
		}
		res.Inserted = int(n)
	}
	return res, t.addMembers(ctx, b, now, existing > 0)
}

// mergeCareful inserts first, skipping addresses that exist by then (ON CONFLICT), links
// every other row to its contact, and only then merges the existing contacts: a writer that
// races this one can only turn a new row into an existing one, which the second pass covers.
func (t *postgresTx) mergeCareful(ctx context.Context, b *contact.Batch, now any) (contact.BatchResult, error) {
	var res contact.BatchResult
	n, err := t.exec(ctx, fmt.Sprintf(insertNewContacts, "ON CONFLICT DO NOTHING"), b.WorkspaceID, b.SourceID, now)
	if err != nil {
		return res, fmt.Errorf("insert contacts: %w", err)
	}
	res.Inserted = int(n)
	existing, err := t.linkExisting(ctx, b.WorkspaceID)
	if err != nil {
		return res, err
	}
	if existing > 0 {
		if err := t.mergeExisting(ctx, b, now, existing, &res); err != nil {
			return res, err
		}
	}
	return res, t.addMembers(ctx, b, now, existing > 0)
}

// linkExisting records the contact of every staging row not linked yet, as existing.
func (t *postgresTx) linkExisting(ctx context.Context, ws int64) (int64, error) {
	n, err := t.exec(ctx, `INSERT INTO import_ids (email_canonical, id, is_new)
		SELECT email_canonical, id, false FROM (`+probeContacts+`) m WHERE id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM import_ids i WHERE i.email_canonical = m.email_canonical)`, ws)
	if err != nil {
		return 0, fmt.Errorf("match existing contacts: %w", err)
	}
	return n, nil
}

// addMembers puts the batch's contacts on the list. Brand-new contacts cannot be members
// yet; only the existing ones need ON CONFLICT.
func (t *postgresTx) addMembers(ctx context.Context, b *contact.Batch, now any, existing bool) error {
	if b.ListID == 0 {
		return nil
	}
	members := `INSERT INTO list_members (list_id, contact_id, workspace_id, source_id, added_at)
		SELECT $1, id, $2, $3, $4 FROM import_ids WHERE is_new`
	if _, err := t.exec(ctx, members, b.ListID, b.WorkspaceID, b.SourceID, now); err != nil {
		return fmt.Errorf("add list members: %w", err)
	}
	if existing {
		if _, err := t.exec(ctx, strings.Replace(members, "WHERE is_new", "WHERE NOT is_new ON CONFLICT DO NOTHING", 1),
			b.ListID, b.WorkspaceID, b.SourceID, now); err != nil {
			return fmt.Errorf("add list members: %w", err)
		}
	}
	return nil
}

const insertNewContacts = `WITH ins AS (
		INSERT INTO contacts (workspace_id, email, email_canonical, phone, status, country, contact_kind, attrs,
			first_source_id, created_at, updated_at)
		SELECT $1, email, email_canonical, phone, status, country, contact_kind, attrs, coalesce(nullif(source_id, 0), $2), $3, $3 FROM import_staging st
		WHERE NOT EXISTS (SELECT 1 FROM import_ids i WHERE i.email_canonical = st.email_canonical)
		ORDER BY num %s
		RETURNING id, email_canonical)
	INSERT INTO import_ids (email_canonical, id, is_new) SELECT email_canonical, id, true FROM ins`

// mergeExisting updates (or, in skip mode, leaves) the contacts the batch matched, and records
// that this source touched them. Status is never changed by an import.
func (t *postgresTx) mergeExisting(ctx context.Context, b *contact.Batch, now any, existing int64, res *contact.BatchResult) error {
	if b.OnConflict == contact.ConflictSkip {
		res.Skipped = int(existing)
	} else {
		upd, err := t.exec(ctx, `UPDATE contacts SET email = st.email,
			phone = CASE WHEN st.phone <> '' THEN st.phone ELSE contacts.phone END,
			country = CASE WHEN st.country <> '' THEN st.country ELSE contacts.country END,
			contact_kind = CASE WHEN st.contact_kind <> '' THEN st.contact_kind ELSE contacts.contact_kind END,
			attrs = contacts.attrs || st.attrs, updated_at = $1
			FROM import_ids i JOIN import_staging st ON st.email_canonical = i.email_canonical
			WHERE NOT i.is_new AND contacts.id = i.id AND (contacts.email <> st.email
			OR (st.phone <> '' AND contacts.phone <> st.phone) OR (st.country <> '' AND contacts.country <> st.country)
			OR (st.contact_kind <> '' AND contacts.contact_kind <> st.contact_kind)
			OR contacts.attrs || st.attrs <> contacts.attrs)`, now)
		if err != nil {
			return fmt.Errorf("update contacts: %w", err)
		}
		res.Updated, res.Unchanged = int(upd), int(existing-upd)
	}
	_, err := t.exec(ctx, `INSERT INTO contact_sources (contact_id, source_id, workspace_id, added_at)
		SELECT c.id, coalesce(nullif(st.source_id, 0), $1), c.workspace_id, $2 FROM import_ids i JOIN contacts c ON c.id = i.id
		JOIN import_staging st ON st.email_canonical = i.email_canonical
		WHERE NOT i.is_new AND c.first_source_id <> coalesce(nullif(st.source_id, 0), $1) ON CONFLICT DO NOTHING`, b.SourceID, now)
	if err != nil {
		return fmt.Errorf("record contact sources: %w", err)
	}
	return nil
}

func (t *postgresTx) row(ctx context.Context, query string, args ...any) rowScanner {
	return t.tx.QueryRow(ctx, query, args...)
}

// contactIDs reads the ids mergeRows recorded for every staging row.
func (t *postgresTx) contactIDs(ctx context.Context, fn func(email string, id int64)) error {
	rows, err := t.tx.Query(ctx, `SELECT email_canonical, id FROM import_ids`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var email string
		var id int64
		if err := rows.Scan(&email, &id); err != nil {
			return err
		}
		fn(email, id)
	}
	return rows.Err()
}

// consentIDs takes n values of the consents' identity sequence in one round trip.
func (t *postgresTx) consentIDs(ctx context.Context, n int) ([]int64, error) {
	rows, err := t.tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence('consents', 'id')) FROM generate_series(1, $1)`, n)
	if err != nil {
		return nil, err
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, err
	}
	slices.Sort(ids)
	return ids, nil
}

var consentCopyColumns = strings.Split(strings.Join(strings.Fields(strings.ReplaceAll(consentColumns, ",", " ")), ","), ",")

func (t *postgresTx) insertConsents(ctx context.Context, es []consent.Entry, evidence [][]byte) error {
	_, err := t.tx.CopyFrom(ctx, pgx.Identifier{"consents"}, consentCopyColumns,
		pgx.CopyFromSlice(len(es), func(i int) ([]any, error) {
			e := &es[i]
			var src any
			if e.SourceID != 0 {
				src = e.SourceID
			}
			return []any{e.ID, e.WorkspaceID, e.Seq, e.ContactID, e.Purpose, string(e.Channel), string(e.Action),
				string(e.Basis), string(evidence[i]), src, e.Actor, e.RecordedAt, []byte(e.PrevHash), []byte(e.Hash)}, nil
		}))
	return err
}
