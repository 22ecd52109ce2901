package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
)

// sqliteChunk is how many staging rows one multi-row INSERT carries (9 parameters each,
// well under SQLite's 32,766-parameter limit).
const sqliteChunk = 500

type sqliteLoader struct {
	conn *sql.Conn
	full *sql.Stmt // INSERT of sqliteChunk rows
	// consents is the INSERT of consentChunk ledger entries, prepared on first use.
	consents *sql.Stmt
	args     []any
}

func newSQLiteLoader(ctx context.Context, conn *sql.Conn) (*sqliteLoader, error) {
	for _, q := range []string{
		`PRAGMA temp_store = MEMORY`,
		`PRAGMA temp.journal_mode = OFF`, // the staging table is refilled by every batch; it needs no rollback journal
		`CREATE TEMP TABLE IF NOT EXISTS import_staging (num INTEGER, email TEXT, email_canonical TEXT,
			phone TEXT, status TEXT, country TEXT, contact_kind TEXT, attrs TEXT, existing_id INTEGER, source_id INTEGER)`,
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

func (l *sqliteLoader) begin(ctx context.Context) (batchTx, error) {
	tx, err := l.conn.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	return &sqliteTx{l: l, tx: tx}, nil
}

type sqliteTx struct {
	l   *sqliteLoader
	tx  *sql.Tx
	off int64 // a new contact's id is off + its row number (mergeRows)
}

// load fills the staging table with multi-row INSERTs of sqliteChunk rows, the statement
// prepared once per connection. (Passing the batch as one JSON array to json_each was
// measured too: three times slower, SQLite re-parses each element per column.)
func (t *sqliteTx) load(ctx context.Context, rows []stagingRow) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM import_staging`); err != nil {
		return err
	}
	full := t.tx.StmtContext(ctx, t.l.full)
	args := t.l.args[:0]
	for len(rows) > 0 {
		n := min(len(rows), sqliteChunk)
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r.num, r.email, r.canonical, r.phone, r.status, r.country, r.kind, string(r.attrs), r.source) // TEXT, not BLOB (JSONB)
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
	t.l.args = args
	return nil
}

func sqliteInsert(n int) string {
	return `INSERT INTO import_staging (num, email, email_canonical, phone, status, country, contact_kind, attrs, source_id) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?,?,?,?,?,?,?,?,?),`, n), ",")
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

// mergeRows: match existing contacts by an index probe per row, update or skip them, then
// insert the new ones numbering them itself. The transaction holds SQLite's write lock, so
// no other writer can take ids between reading the largest id and inserting; that spares a
// second index probe per row to learn the ids SQLite would have chosen.
func (t *sqliteTx) mergeRows(ctx context.Context, b *contact.Batch, now any) (contact.BatchResult, error) {
	var res contact.BatchResult
	if _, err := t.exec(ctx, `UPDATE import_staging SET existing_id = (SELECT c.id FROM contacts c
		WHERE c.workspace_id = ? AND c.email_canonical = import_staging.email_canonical)`, b.WorkspaceID); err != nil {
		return res, fmt.Errorf("match existing contacts: %w", err)
	}
	var existing, base, first int64
	// The largest id ever given (sqlite_sequence, as AUTOINCREMENT keeps it), not the largest
	// present: ids of deleted contacts are never reused. Explicit ids above it advance it.
	if err := t.tx.QueryRowContext(ctx, `SELECT count(existing_id), coalesce(min(num), 0),
		max((SELECT coalesce(max(id), 0) FROM contacts),
			coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'contacts'), 0))
		FROM import_staging`).Scan(&existing, &first, &base); err != nil {
		return res, err
	}
	if existing > 0 {
		if err := t.mergeExisting(ctx, b, now, existing, &res); err != nil {
			return res, err
		}
	}
	off := base - first + 1
	t.off = off
	n, err := t.exec(ctx, `INSERT INTO contacts (id, workspace_id, email, email_canonical, phone, status, country, contact_kind,
		attrs, first_source_id, created_at, updated_at)
		SELECT ?1 + num, ?2, email, email_canonical, phone, status, country, contact_kind, attrs, coalesce(nullif(source_id, 0), ?3), ?4, ?4 FROM import_staging
		WHERE existing_id IS NULL`, off, b.WorkspaceID, b.SourceID, now)
	if err != nil {
		return res, fmt.Errorf("insert contacts: %w", err)
	}
	res.Inserted = int(n)
	if b.ListID != 0 {
		if _, err := t.exec(ctx, `INSERT INTO list_members (list_id, contact_id, workspace_id, source_id, added_at)
			SELECT ?1, coalesce(existing_id, ?2 + num), ?3, ?4, ?5 FROM import_staging WHERE true ON CONFLICT DO NOTHING`,
			b.ListID, off, b.WorkspaceID, b.SourceID, now); err != nil {
			return res, fmt.Errorf("add list members: %w", err)
		}
	}
	return res, nil
}

// mergeExisting updates (or, in skip mode, leaves) the contacts the batch matched, and records
// that this source touched them. Status is never changed by an import: an unsubscribed
// contact stays unsubscribed.
func (t *sqliteTx) mergeExisting(ctx context.Context, b *contact.Batch, now any, existing int64, res *contact.BatchResult) error {
	if b.OnConflict == contact.ConflictSkip {
		res.Skipped = int(existing)
	} else {
		upd, err := t.exec(ctx, `UPDATE contacts SET email = st.email,
			phone = CASE WHEN st.phone <> '' THEN st.phone ELSE contacts.phone END,
			country = CASE WHEN st.country <> '' THEN st.country ELSE contacts.country END,
			contact_kind = CASE WHEN st.contact_kind <> '' THEN st.contact_kind ELSE contacts.contact_kind END,
			attrs = json_patch(contacts.attrs, st.attrs), updated_at = ?
			FROM import_staging st WHERE contacts.id = st.existing_id AND (contacts.email <> st.email
			OR (st.phone <> '' AND contacts.phone <> st.phone) OR (st.country <> '' AND contacts.country <> st.country)
			OR (st.contact_kind <> '' AND contacts.contact_kind <> st.contact_kind)
			OR json_patch(contacts.attrs, st.attrs) <> contacts.attrs)`, now)
		if err != nil {
			return fmt.Errorf("update contacts: %w", err)
		}
		res.Updated, res.Unchanged = int(upd), int(existing-upd)
	}
	_, err := t.exec(ctx, `INSERT INTO contact_sources (contact_id, source_id, workspace_id, added_at)
		SELECT c.id, coalesce(nullif(st.source_id, 0), ?1), c.workspace_id, ?2 FROM import_staging st JOIN contacts c ON c.id = st.existing_id
		WHERE c.first_source_id <> coalesce(nullif(st.source_id, 0), ?1) ON CONFLICT DO NOTHING`, b.SourceID, now)
	if err != nil {
		return fmt.Errorf("record contact sources: %w", err)
	}
	return nil
}

func (t *sqliteTx) row(ctx context.Context, query string, args ...any) rowScanner {
	return t.tx.QueryRowContext(ctx, query, args...)
}

// contactIDs: an existing contact's id was matched, a new one's is off + num (mergeRows).
func (t *sqliteTx) contactIDs(ctx context.Context, fn func(email string, id int64)) error {
	rows, err := t.tx.QueryContext(ctx, `SELECT email_canonical, coalesce(existing_id, ? + num) FROM import_staging`, t.off)
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

// consentIDs: the transaction holds SQLite's write lock, so the ids above the largest are free.
func (t *sqliteTx) consentIDs(ctx context.Context, n int) ([]int64, error) {
	var last int64
	if err := t.tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM consents`).Scan(&last); err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last + int64(i) + 1
	}
	return ids, nil
}

func consentInsert(n int) string {
	return `INSERT INTO consents (` + consentColumns + `) VALUES ` +
		strings.TrimSuffix(strings.Repeat(`(?,?,?,?,?,?,?,?,?,?,?,?,?,?),`, n), ",")
}

// consentChunk is how many entries one INSERT carries (14 parameters each).
const consentChunk = 500

func (t *sqliteTx) insertConsents(ctx context.Context, es []consent.Entry, evidence [][]byte) error {
	args := make([]any, 0, 14*min(len(es), consentChunk))
	var full *sql.Stmt
	for len(es) > 0 {
		n := min(len(es), consentChunk)
		args = args[:0]
		for i, e := range es[:n] {
			var src sql.NullInt64
			if e.SourceID != 0 {
				src = sql.NullInt64{Int64: e.SourceID, Valid: true}
			}
			args = append(args, e.ID, e.WorkspaceID, e.Seq, e.ContactID, e.Purpose, string(e.Channel), string(e.Action),
				string(e.Basis), string(evidence[i]), src, e.Actor, e.RecordedAt, []byte(e.PrevHash), []byte(e.Hash))
		}
		var err error
		if n == consentChunk {
			if full == nil {
				if t.l.consents == nil {
					if t.l.consents, err = t.l.conn.PrepareContext(ctx, consentInsert(consentChunk)); err != nil {
						return err
					}
				}
				// Bound to the transaction once per batch, not per chunk: binding re-prepares.
				full = t.tx.StmtContext(ctx, t.l.consents)
				defer full.Close()
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = t.tx.ExecContext(ctx, consentInsert(n), args...)
		}
		if err != nil {
			return err
		}
		es, evidence = es[n:], evidence[n:]
	}
	return nil
}
