package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// ClaimWebhookNonce records that a provider webhook's signature nonce (a Mailgun token, an
// SNS MessageId, a SendGrid body hash) was seen for the workspace, to be remembered until
// expires. It reports false when the nonce is already held and not yet expired: a replay.
// Expired nonces are pruned in the same transaction, so the table stays as small as one
// window of traffic without a job.
func (s *Store) ClaimWebhookNonce(ctx context.Context, ws int64, via, nonce string, now, expires time.Time) (bool, error) {
	fresh := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM esp_nonces WHERE expires_at < ?`), now.UTC()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.q(`INSERT INTO esp_nonces (workspace_id, via, nonce, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (workspace_id, via, nonce) DO NOTHING`), ws, via, nonce, expires.UTC())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		fresh = n == 1
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record webhook nonce: %w", mapErr(err))
	}
	return fresh, nil
}

// ReleaseWebhookNonce forgets a nonce claimed for a request that then failed to be recorded,
// so that the provider's retry of the same request is taken, not refused as a replay.
func (s *Store) ReleaseWebhookNonce(ctx context.Context, ws int64, via, nonce string) error {
	if _, err := s.db.ExecContext(ctx, s.q(`DELETE FROM esp_nonces WHERE workspace_id = ? AND via = ? AND nonce = ?`), ws, via, nonce); err != nil {
		return fmt.Errorf("release webhook nonce: %w", mapErr(err))
	}
	return nil
}
