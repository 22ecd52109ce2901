package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/audit"
)

// PutSigningKey stores (or replaces) the workspace's secret of that name, wrapped like every
// signing key when the store has a secret key, with its audit entry (action, naming the key
// and the changes given, never the secret) in the same transaction. DKIM private keys are
// kept this way, so `keys wrap`, `keys unwrap` and `keys status` cover them.
func (s *Store) PutSigningKey(ctx context.Context, ws int64, name string, secret []byte, action string, changes ...audit.Change) error {
	stored, err := s.seal(secret, signingAAD(ws, name))
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO signing_keys (workspace_id, name, secret, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (workspace_id, name) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at`),
			ws, name, stored, now()); err != nil {
			return fmt.Errorf("store signing key %q: %w", name, mapErr(err))
		}
		return s.auditTxID(ctx, tx, ws, action, "signing_key", name, changes...)
	})
}
