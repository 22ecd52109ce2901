package store

import (
	"context"
	"database/sql"

	"github.com/clearlist/clearlist/internal/audit"
)

// RecordJobAction writes the audit entry of a person's action on a background job (retry,
// cancel, run now) in the workspace of the person who took it. River keeps the jobs in its own
// tables and changes them itself; this records who asked for it.
func (s *Store) RecordJobAction(ctx context.Context, ws int64, action string, jobID int64, changes ...audit.Change) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return s.auditTx(ctx, tx, ws, action, "job", jobID, changes...)
	})
}
