package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/consent"
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
	row(ctx context.Context, query string, args ...any) rowScanner
	// contactIDs calls fn with the canonical address and contact id of every staging row,
	// after mergeRows.
	contactIDs(ctx context.Context, fn func(email string, id int64)) error
	// consentIDs takes n new ids of the consents table, in increasing order.
	consentIDs(ctx context.Context, n int) ([]int64, error)
	// insertConsents inserts the entries (hashed) with their evidence as JSON.
	insertConsents(ctx context.Context, es []consent.Entry, evidence [][]byte) error
	commit(ctx context.Context) error
	rollback(ctx context.Context)
}

type stagingRow struct {
	num                             int64
	email, canonical, phone, status string
	country, kind                   string // "" when the row gives none
	attrs                           []byte // JSON object
	source                          int64  // the row's own source (its evidence); 0: the batch's
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
		rows = append(rows, stagingRow{int64(r.Num), r.Email, r.EmailCanonical, r.Phone, string(status), r.Country, string(r.Kind), attrs, r.SourceID})
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
	cb, err := w.prepareConsents(ctx, tx, b)
	if err != nil {
		return err
	}
	if b.Turn != nil {
		// The chain is linked after the earlier batches committed: entries follow the file.
		if err := b.Turn(ctx); err != nil {
			return err
		}
	}
	if res.Consents, err = w.linkConsents(ctx, tx, b, cb); err != nil {
		return err
	}
	if b.ImportID != 0 {
		// A cancelled import takes no more batches: this one rolls back whole. The row's lock
		// orders it with the cancel (CancelImport), so no batch commits after a cancel.
		n, err := tx.exec(ctx, s.q(`UPDATE imports SET rows_done = ?, inserted = inserted + ?, updated = updated + ?,
			unchanged = unchanged + ?, skipped = skipped + ?, failed = failed + ?, warnings = warnings + ?, consents = consents + ?
			WHERE workspace_id = ? AND id = ? AND status <> ?`),
			b.LastRow, res.Inserted, res.Updated, res.Unchanged, res.Skipped, b.Failed, b.Warnings, res.Consents, b.WorkspaceID, b.ImportID,
			ImportCancelled)
		if err != nil {
			return fmt.Errorf("record import progress: %w", err)
		}
		if n == 0 {
			return fmt.Errorf("import %d %w", b.ImportID, imports.ErrCancelled)
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

// consentBatch is a batch's ledger entries made ready before the batch's turn: contacts
// found, purposes and sources checked, ids taken, evidence encoded. What depends on the
// chain's head (sequence numbers, links, hashes) waits for the turn, so the part of a batch
// that runs one at a time stays short.
type consentBatch struct {
	entries  []consent.Entry
	evidence [][]byte
}

// prepareConsents builds the ledger entries of the batch's rows, in row order, inside the
// batch's transaction but before its turn. Each entry keeps the import's source (or the
// row's own). The consents table has no foreign keys (they tripled the cost of writing an
// entry on PostgreSQL), so the batch's purposes and sources are checked here, once.
func (w *BatchWriter) prepareConsents(ctx context.Context, tx batchTx, b *contact.Batch) (*consentBatch, error) {
	n := 0
	for i := range b.Rows {
		n += len(b.Rows[i].Consents)
	}
	if n == 0 {
		return nil, nil
	}
	ids := make(map[string]int64, len(b.Rows))
	if err := tx.contactIDs(ctx, func(email string, id int64) { ids[email] = id }); err != nil {
		return nil, fmt.Errorf("find the contacts of consent entries: %w", err)
	}
	if err := w.checkConsentRefs(ctx, tx, b); err != nil {
		return nil, err
	}
	next, err := tx.consentIDs(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("consent ids: %w", err)
	}
	t := b.Now
	if t.IsZero() {
		t = now()
	}
	cb := &consentBatch{entries: make([]consent.Entry, 0, n), evidence: make([][]byte, 0, n)}
	// One buffer holds every entry's evidence; a growth leaves earlier slices on the old
	// array, which stays valid.
	buf := make([]byte, 0, 160*n)
	for i := range b.Rows {
		r := &b.Rows[i]
		if len(r.Consents) == 0 {
			continue
		}
		cid := ids[r.EmailCanonical]
		if cid == 0 {
			return nil, fmt.Errorf("row %d: the contact of its consent entries was not written", r.Num)
		}
		for _, e := range r.Consents {
			e.WorkspaceID, e.ContactID, e.SourceID, e.RecordedAt = b.WorkspaceID, cid, b.SourceID, t
			if r.SourceID != 0 {
				e.SourceID = r.SourceID
			}
			e.Normalize()
			e.ID = next[len(cb.entries)]
			at := len(buf)
			if buf, err = appendEvidence(buf, e.Evidence); err != nil {
				return nil, fmt.Errorf("row %d: encode consent evidence: %w", r.Num, err)
			}
			cb.entries = append(cb.entries, e)
			cb.evidence = append(cb.evidence, buf[at:len(buf):len(buf)])
		}
	}
	return cb, nil
}

// checkConsentRefs checks that every purpose and every source the batch's entries name is
// the workspace's: the work the foreign keys would do per entry, done once per batch.
func (w *BatchWriter) checkConsentRefs(ctx context.Context, tx batchTx, b *contact.Batch) error {
	s := w.s
	purposes := map[string]struct{}{}
	sources := map[int64]struct{}{}
	for i := range b.Rows {
		r := &b.Rows[i]
		for _, e := range r.Consents {
			purposes[e.Purpose] = struct{}{}
		}
		if r.SourceID != 0 && len(r.Consents) > 0 {
			sources[r.SourceID] = struct{}{}
		}
	}
	args := []any{b.WorkspaceID}
	for p := range purposes {
		args = append(args, p)
	}
	got, err := tx.count(ctx, s.q(`SELECT COUNT(*) FROM purposes WHERE workspace_id = ? AND name IN (`+marks(len(purposes))+`)`), args...)
	if err != nil {
		return fmt.Errorf("check the purposes of consent entries: %w", err)
	}
	if got != int64(len(purposes)) {
		names := make([]string, 0, len(purposes))
		for p := range purposes {
			names = append(names, p)
		}
		slices.Sort(names)
		return fmt.Errorf("%w: the entries name purposes %s, not all of which exist in workspace %d: add them first (clearlist consent purpose add)",
			consent.ErrInvalid, strings.Join(names, ", "), b.WorkspaceID)
	}
	if len(sources) == 0 {
		return nil
	}
	args = append(args[:0], b.WorkspaceID)
	for id := range sources {
		args = append(args, id)
	}
	if got, err = tx.count(ctx, s.q(`SELECT COUNT(*) FROM sources WHERE workspace_id = ? AND id IN (`+marks(len(sources))+`)`), args...); err != nil {
		return fmt.Errorf("check the sources of consent entries: %w", err)
	}
	if got != int64(len(sources)) {
		return fmt.Errorf("consent entries name a source that is not workspace %d's: %w", b.WorkspaceID, consent.ErrUnknownSource)
	}
	return nil
}

// linkConsents chains the prepared entries to the workspace's ledger and inserts them, in
// the batch's transaction after its turn: it locks the workspace's chain, reads its head
// once, numbers and hashes the entries in one pass and inserts them together (COPY on
// PostgreSQL, multi-row INSERTs on SQLite). It returns how many entries it wrote.
func (w *BatchWriter) linkConsents(ctx context.Context, tx batchTx, b *contact.Batch, cb *consentBatch) (int, error) {
	if cb == nil {
		return 0, nil
	}
	s := w.s
	if _, err := tx.count(ctx, s.q(`SELECT id FROM workspaces WHERE id = ?`+s.sql.forNoKeyUpdate), b.WorkspaceID); err != nil {
		return 0, fmt.Errorf("lock the consent ledger: %w", mapErr(err))
	}
	var seq, headID int64
	var prev []byte
	if err := tx.row(ctx, s.q(`SELECT COALESCE((SELECT MAX(seq) FROM consents WHERE workspace_id = ?), 0),
		COALESCE((SELECT id FROM consents WHERE workspace_id = ? ORDER BY seq DESC LIMIT 1), 0),
		(SELECT hash FROM consents WHERE workspace_id = ? ORDER BY seq DESC LIMIT 1)`),
		b.WorkspaceID, b.WorkspaceID, b.WorkspaceID).Scan(&seq, &headID, &prev); err != nil {
		return 0, fmt.Errorf("read consent chain head: %w", err)
	}
	if seq == 0 {
		prev = consent.Genesis
	}
	es := cb.entries
	if headID >= es[0].ID {
		// An entry committed since the ids were taken holds a larger one: take them again,
		// under the chain's lock, so that ids keep growing in chain order within a workspace
		// (the latest entry of a contact is found by id).
		next, err := tx.consentIDs(ctx, len(es))
		if err != nil {
			return 0, fmt.Errorf("consent ids: %w", err)
		}
		for i := range es {
			es[i].ID = next[i]
		}
	}
	for i := range es {
		e := &es[i]
		e.Seq, e.PrevHash = seq+int64(i)+1, prev
		e.Hash = consent.Hash(*e)
		prev = e.Hash
	}
	if err := tx.insertConsents(ctx, es, cb.evidence); err != nil {
		return 0, fmt.Errorf("record consent entries: %w", mapErr(err))
	}
	return len(es), nil
}
