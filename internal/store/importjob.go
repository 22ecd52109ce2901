package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
)

// Import is the tracked state of one import run (defined by the import service).
type Import = imports.Import

// Import statuses.
const (
	ImportRunning = imports.Running
	ImportDone    = imports.Done
	ImportFailed  = imports.Failed
	// ImportCancelled is the status of an import cancelled on request.
	ImportCancelled = imports.Cancelled
)

const importColumns = `id, workspace_id, source_id, list_id, file_name, status, on_conflict, rows_done, inserted, updated, unchanged,
	skipped, failed, warnings, consents, report_path, error, created_at, finished_at, started_by, cancelled_by`

// CreateImport starts tracking an import run.
func (s *Store) CreateImport(ctx context.Context, im Import) (Import, error) {
	im.CreatedAt = now()
	im.Status = ImportRunning
	id, err := s.insertImport(ctx, s.db, im)
	if err != nil {
		return Import{}, fmt.Errorf("create import: %w", err)
	}
	im.ID = id
	return im, nil
}

// StartImport records an import's source and starts tracking the run, in one transaction.
// It writes no audit entry: an import is one entry with its counts, naming the source,
// written when the run ends (FinishImport).
func (s *Store) StartImport(ctx context.Context, src contact.Source, im Import) (contact.Source, Import, error) {
	im.CreatedAt, im.Status = now(), ImportRunning
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if src, err = s.insertSource(ctx, tx, src); err != nil {
			return err
		}
		im.SourceID = src.ID
		im.ID, err = s.insertImport(ctx, tx, im)
		return err
	})
	if err != nil {
		return contact.Source{}, Import{}, fmt.Errorf("start import: %w", err)
	}
	return src, im, nil
}

func (s *Store) insertImport(ctx context.Context, ex execer, im Import) (int64, error) {
	return s.insertID(ctx, ex, `INSERT INTO imports (workspace_id, source_id, list_id, file_name, status, on_conflict,
		report_path, created_at, started_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		im.WorkspaceID, im.SourceID, im.ListID, im.FileName, im.Status, im.OnConflict, im.ReportPath, im.CreatedAt, im.StartedBy)
}

// FinishImport records how an import ended and the rows that failed after the last batch.
// An import cancelled meanwhile stays cancelled: ErrCancelled.
func (s *Store) FinishImport(ctx context.Context, ws, id int64, status, errText string, rowsDone, failed int64) error {
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var im Import
		err := tx.QueryRowContext(ctx, s.q(`UPDATE imports SET status = ?, error = ?, finished_at = ?,
		rows_done = CASE WHEN ? > rows_done THEN ? ELSE rows_done END, failed = failed + ?
		WHERE workspace_id = ? AND id = ? AND status <> ? RETURNING file_name, source_id, rows_done, inserted, updated, skipped, unchanged, failed, warnings, consents`),
			status, errText, now(), rowsDone, rowsDone, failed, ws, id, ImportCancelled).Scan(&im.FileName, &im.SourceID, &im.RowsDone,
			&im.Inserted, &im.Updated, &im.Skipped, &im.Unchanged, &im.Failed, &im.Warnings, &im.Consents)
		if errors.Is(err, sql.ErrNoRows) {
			if cur, cerr := s.importTx(ctx, tx, ws, id); cerr == nil && cur.Status == ImportCancelled {
				return fmt.Errorf("import %d %w", id, imports.ErrCancelled)
			}
		}
		if err != nil {
			return mapErr(err)
		}
		// An import is one entry with its counts, not one per row.
		return s.auditTx(ctx, tx, ws, "import.finish", "import", id, importCounts(im, audit.Set("status", status))...)
	})
	if errors.Is(err, imports.ErrCancelled) {
		return err
	}
	if err != nil {
		return fmt.Errorf("finish import %d: %w", id, err)
	}
	return nil
}

// importCounts are the changes of an import's audit entry: what it wrote so far.
func importCounts(im Import, first ...audit.Change) []audit.Change {
	n := func(field string, v int64) audit.Change { return audit.Count(field, int(v)) }
	return append(first, audit.Set("file", im.FileName),
		audit.Set("source_id", strconv.FormatInt(im.SourceID, 10)), n("rows", im.RowsDone), n("inserted", im.Inserted),
		n("updated", im.Updated), n("skipped", im.Skipped), n("unchanged", im.Unchanged), n("failed", im.Failed),
		n("warnings", im.Warnings), n("consent_entries", im.Consents))
}

// CancelImport marks running import id of the workspace cancelled by by, with its
// import.cancel entry (who, and the counts so far: the import's final ones, since no batch
// commits after it), in one transaction. A batch writing at the same time either commits
// before it (its rows count) or finds the import cancelled and rolls back. An import that is
// not running is returned as it is with imports.ErrNotCancellable.
func (s *Store) CancelImport(ctx context.Context, ws, id int64, by string) (Import, error) {
	var im Import
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		im, err = scanImport(tx.QueryRowContext(ctx, s.q(`UPDATE imports SET status = ?, finished_at = ?, cancelled_by = ?
			WHERE workspace_id = ? AND id = ? AND status = ? RETURNING `+importColumns),
			ImportCancelled, now(), by, ws, id, ImportRunning))
		if errors.Is(err, sql.ErrNoRows) {
			if im, err = s.importTx(ctx, tx, ws, id); err != nil {
				return err
			}
			return imports.ErrNotCancellable
		}
		if err != nil {
			return err
		}
		return s.auditTx(ctx, tx, ws, "import.cancel", "import", id, importCounts(im, audit.Set("status", ImportCancelled))...)
	})
	if errors.Is(err, imports.ErrNotCancellable) {
		return im, err
	}
	if errors.Is(err, ErrNotFound) {
		return Import{}, fmt.Errorf("import %d: %w (see `clearlist imports`)", id, err)
	}
	if err != nil {
		return Import{}, fmt.Errorf("cancel import %d: %w", id, mapErr(err))
	}
	return im, nil
}

// importTx reads one import run in tx.
func (s *Store) importTx(ctx context.Context, tx *sql.Tx, ws, id int64) (Import, error) {
	im, err := scanImport(tx.QueryRowContext(ctx, s.q(`SELECT `+importColumns+` FROM imports WHERE workspace_id = ? AND id = ?`), ws, id))
	return im, mapErr(err)
}

// Import returns one import run.
func (s *Store) Import(ctx context.Context, ws, id int64) (Import, error) {
	im, err := scanImport(s.db.QueryRowContext(ctx, s.q(`SELECT `+importColumns+` FROM imports WHERE workspace_id = ? AND id = ?`), ws, id))
	if err != nil {
		return Import{}, fmt.Errorf("import %d: %w (see `clearlist imports`)", id, mapErr(err))
	}
	return im, nil
}

// Imports returns the workspace's most recent import runs, newest first: those with an id
// below before (0: from the newest), at most limit.
func (s *Store) Imports(ctx context.Context, ws, before int64, limit int) ([]Import, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	out, err := s.queryImports(ctx, `SELECT `+importColumns+` FROM imports WHERE workspace_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, ws, before, limit)
	if err != nil {
		return nil, fmt.Errorf("imports: %w", err)
	}
	return out, nil
}

// queryImports runs a query selecting importColumns and scans every row.
func (s *Store) queryImports(ctx context.Context, query string, args ...any) ([]Import, error) {
	rows, err := s.db.QueryContext(ctx, s.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Import
	for rows.Next() {
		im, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, im)
	}
	return out, rows.Err()
}

func scanImport(row rowScanner) (Import, error) {
	var im Import
	var list nullInt
	var fin nullTime
	err := row.Scan(&im.ID, &im.WorkspaceID, &im.SourceID, &list, &im.FileName, &im.Status, &im.OnConflict,
		&im.RowsDone, &im.Inserted, &im.Updated, &im.Unchanged, &im.Skipped, &im.Failed, &im.Warnings, &im.Consents, &im.ReportPath, &im.Error, &im.CreatedAt, &fin, &im.StartedBy, &im.CancelledBy)
	if err != nil {
		return Import{}, err
	}
	im.ListID, im.FinishedAt = list.ptr(), fin.ptr()
	return im, nil
}

// The import service's narrow store is this one.
var _ imports.Store = (*Store)(nil)
