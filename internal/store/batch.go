package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/contact"
)

// BatchWriter writes import batches over one pinned connection, through a staging table:
// rows are bulk-loaded (COPY on PostgreSQL, multi-row INSERT on SQLite) and then merged into
// contacts, contact_sources and list_members by a few set-based statements, all in one
// transaction together with the import's progress, so a killed import leaves whole batches.
type BatchWriter struct {
	s    *Store
	conn *sql.Conn
	load stagingLoader
	buf  []byte // the batch's attribute JSON, reused
}

// stagingLoader is the dialect-specific half of a batch: open a transaction, fill the staging
// table with the batch's rows, and run statements inside that transaction.
type stagingLoader interface {
	begin(ctx context.Context) (batchTx, error)
}

type batchTx interface {
	load(ctx context.Context, rows []stagingRow) error
	exec(ctx context.Context, query string, args ...any) (int64, error)
	count(ctx context.Context, query string, args ...any) (int64, error)
	commit(ctx context.Context) error
	rollback(ctx context.Context)
}

type stagingRow struct {
	num                             int64
	email, canonical, phone, status string
	attrs                           []byte // JSON object
}

// NewBatchWriter pins a connection and prepares its staging table. Close it when done.
func (s *Store) NewBatchWriter(ctx context.Context) (*BatchWriter, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("import connection: %w", err)
	}
	w := &BatchWriter{s: s, conn: conn}
	if s.dialect == Postgres {
		w.load, err = newPostgresLoader(ctx, conn)
	} else {
		w.load, err = newSQLiteLoader(ctx, conn)
	}
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("prepare import staging: %w", err)
	}
	return w, nil
}

// Close returns the pinned connection to the pool.
func (w *BatchWriter) Close() error { return w.conn.Close() }

// WriteBatch writes one batch atomically and returns what it did.
func (w *BatchWriter) WriteBatch(ctx context.Context, b *contact.Batch) (contact.BatchResult, error) {
	var res contact.BatchResult
	rows := make([]stagingRow, 0, len(b.Rows))
	w.buf = w.buf[:0]
	seen := make(map[string]struct{}, len(b.Rows))
	for _, r := range b.Rows {
		if _, dup := seen[r.EmailCanonical]; dup {
			res.Skipped++
			continue
		}
		seen[r.EmailCanonical] = struct{}{}
		var err error
		start := len(w.buf)
		if w.buf, err = appendAttrs(w.buf, r.Attrs); err != nil {
			return res, fmt.Errorf("row %d attributes: %w", r.Num, err)
		}
		attrs := w.buf[start:len(w.buf):len(w.buf)]
		status := r.Status
		if status == "" {
			status = contact.StatusActive
		}
		rows = append(rows, stagingRow{int64(r.Num), r.Email, r.EmailCanonical, r.Phone, string(status), attrs})
	}
	t := b.Now
	if t.IsZero() {
		t = now()
	}
	tx, err := w.load.begin(ctx)
	if err != nil {
		return res, err
	}
	if err := w.merge(ctx, tx, b, rows, &res, t); err != nil {
		tx.rollback(ctx)
		return contact.BatchResult{}, err
	}
	if err := tx.commit(ctx); err != nil {
		return contact.BatchResult{}, fmt.Errorf("commit import batch: %w", err)
	}
	return res, nil
}

func (w *BatchWriter) merge(ctx context.Context, tx batchTx, b *contact.Batch, rows []stagingRow, res *contact.BatchResult, t any) error {
	s := w.s
	if err := tx.load(ctx, rows); err != nil {
		return fmt.Errorf("load import batch: %w", err)
	}
	if _, err := tx.exec(ctx, s.q(`UPDATE import_staging SET existing_id = (SELECT c.id FROM contacts c
		WHERE c.workspace_id = ? AND c.email_canonical = import_staging.email_canonical)`), b.WorkspaceID); err != nil {
		return fmt.Errorf("match existing contacts: %w", err)
	}
	existing, err := tx.count(ctx, `SELECT count(existing_id) FROM import_staging`)
	if err != nil {
		return err
	}
	ins, err := tx.exec(ctx, s.q(`INSERT INTO contacts (workspace_id, email, email_canonical, phone, status, attrs,
		first_source_id, created_at, updated_at)
		SELECT ?, email, email_canonical, phone, status, attrs, ?, ?, ? FROM import_staging
		WHERE existing_id IS NULL ORDER BY num ON CONFLICT DO NOTHING`), b.WorkspaceID, b.SourceID, t, t)
	if err != nil {
		return fmt.Errorf("insert contacts: %w", err)
	}
	res.Inserted += int(ins)
	if b.OnConflict == contact.ConflictSkip {
		res.Skipped += int(existing)
	} else {
		upd, err := tx.exec(ctx, s.q(s.mergeUpdateSQL()), t)
		if err != nil {
			return fmt.Errorf("update contacts: %w", err)
		}
		res.Updated += int(upd)
		res.Unchanged += int(existing - upd)
	}
	// Give the new contacts' ids to their staging rows, so that the links below need no join.
	if _, err := tx.exec(ctx, s.q(`UPDATE import_staging SET existing_id = (SELECT c.id FROM contacts c
		WHERE c.workspace_id = ? AND c.email_canonical = import_staging.email_canonical) WHERE existing_id IS NULL`),
		b.WorkspaceID); err != nil {
		return fmt.Errorf("match new contacts: %w", err)
	}
	if _, err := tx.exec(ctx, s.q(`INSERT INTO contact_sources (contact_id, source_id, workspace_id, added_at)
		SELECT existing_id, ?, ?, ? FROM import_staging WHERE existing_id IS NOT NULL ON CONFLICT DO NOTHING`),
		b.SourceID, b.WorkspaceID, t); err != nil {
		return fmt.Errorf("record contact sources: %w", err)
	}
	if b.ListID != 0 {
		if _, err := tx.exec(ctx, s.q(`INSERT INTO list_members (list_id, contact_id, workspace_id, source_id, added_at)
			SELECT l.id, st.existing_id, ?, ?, ? FROM lists l, import_staging st
			WHERE l.id = ? AND l.workspace_id = ? AND st.existing_id IS NOT NULL ON CONFLICT DO NOTHING`),
			b.WorkspaceID, b.SourceID, t, b.ListID, b.WorkspaceID); err != nil {
			return fmt.Errorf("add list members: %w", err)
		}
	}
	if b.ImportID != 0 {
		if _, err := tx.exec(ctx, s.q(`UPDATE imports SET rows_done = ?, inserted = inserted + ?, updated = updated + ?,
			unchanged = unchanged + ?, skipped = skipped + ?, failed = failed + ? WHERE workspace_id = ? AND id = ?`),
			b.LastRow, res.Inserted, res.Updated, res.Unchanged, res.Skipped, b.Failed, b.WorkspaceID, b.ImportID); err != nil {
			return fmt.Errorf("record import progress: %w", err)
		}
	}
	return nil
}

// mergeUpdateSQL updates existing contacts from the staging rows where something changes:
// e-mail as given, a non-empty phone, attributes merged (the row's keys win). Status is never
// changed by an import: an unsubscribed contact stays unsubscribed.
func (s *Store) mergeUpdateSQL() string {
	merged := `json_patch(contacts.attrs, st.attrs)`
	if s.dialect == Postgres {
		merged = `(contacts.attrs || st.attrs)`
	}
	return `UPDATE contacts SET email = st.email,
		phone = CASE WHEN st.phone <> '' THEN st.phone ELSE contacts.phone END,
		attrs = ` + merged + `, updated_at = ?
		FROM import_staging st WHERE contacts.id = st.existing_id AND (contacts.email <> st.email
		OR (st.phone <> '' AND contacts.phone <> st.phone) OR ` + merged + ` <> contacts.attrs)`
}
