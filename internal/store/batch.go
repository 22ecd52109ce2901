package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
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
	// mergeRows merges the staging rows into contacts, contact_sources and list_members.
	mergeRows(ctx context.Context, b *contact.Batch, t any) (contact.BatchResult, error)
	exec(ctx context.Context, query string, args ...any) (int64, error)
	count(ctx context.Context, query string, args ...any) (int64, error)
	commit(ctx context.Context) error
	rollback(ctx context.Context)
}

type stagingRow struct {
	num                             int64
	email, canonical, phone, status string
	country, kind                   string // "" when the row gives none
	attrs                           []byte // JSON object
}

// NewBatchWriter pins a connection and prepares its staging table. Close it when done.
func (s *Store) NewBatchWriter(ctx context.Context) (*BatchWriter, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("import connection: %w", err)
	}
	w := &BatchWriter{s: s, conn: conn}
	w.load, err = s.sql.newLoader(ctx, conn)
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
		rows = append(rows, stagingRow{int64(r.Num), r.Email, r.EmailCanonical, r.Phone, string(status), r.Country, string(r.Kind), attrs})
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
	// contacts and list_members carry no row-level foreign keys (see the migration): the
	// source and the list, the same for the whole batch, are checked here once.
	refs, err := tx.count(ctx, s.q(`SELECT (SELECT count(*) FROM sources WHERE id = ? AND workspace_id = ?)
		+ (SELECT count(*) FROM lists WHERE id = ? AND workspace_id = ?)`), b.SourceID, b.WorkspaceID, b.ListID, b.WorkspaceID)
	if err != nil {
		return err
	}
	if want := map[bool]int64{true: 1, false: 2}[b.ListID == 0]; refs != want {
		return fmt.Errorf("import batch: source %d or list %d: %w in workspace %d", b.SourceID, b.ListID, ErrNotFound, b.WorkspaceID)
	}
	if err := tx.load(ctx, rows); err != nil {
		return fmt.Errorf("load import batch: %w", err)
	}
	r, err := tx.mergeRows(ctx, b, t)
	if err != nil {
		return err
	}
	res.Add(r)
	if b.Turn != nil {
		if err := b.Turn(ctx); err != nil {
			return err
		}
	}
	if b.ImportID != 0 {
		if _, err := tx.exec(ctx, s.q(`UPDATE imports SET rows_done = ?, inserted = inserted + ?, updated = updated + ?,
			unchanged = unchanged + ?, skipped = skipped + ?, failed = failed + ?, warnings = warnings + ? WHERE workspace_id = ? AND id = ?`),
			b.LastRow, res.Inserted, res.Updated, res.Unchanged, res.Skipped, b.Failed, b.Warnings, b.WorkspaceID, b.ImportID); err != nil {
			return fmt.Errorf("record import progress: %w", err)
		}
	}
	return nil
}

// ImportWriter is NewBatchWriter for the import service.
func (s *Store) ImportWriter(ctx context.Context) (imports.Writer, error) {
	w, err := s.NewBatchWriter(ctx)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// ImportWriters is how many batch writers an import should run at once. SQLite has one
// writer at a time, so more would only queue; on PostgreSQL a second connection lets the
// server work on one batch while it finishes the other, using both cores of a small machine.
func (s *Store) ImportWriters() int {
	return s.sql.importWriters
}
