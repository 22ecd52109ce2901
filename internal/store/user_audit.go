package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
)

// instanceAuditKeyName names the instance key that hashes the personal values of the
// instance's trail (workspace 0: logins, with the address typed and the client's IP).
const instanceAuditKeyName = "audit"

// instanceAuditKeyTx returns the instance's audit key, creating it in tx the first time.
func (s *Store) instanceAuditKeyTx(ctx context.Context, tx *sql.Tx) ([]byte, error) {
	var stored []byte
	err := tx.QueryRowContext(ctx, s.q(`SELECT secret FROM instance_keys WHERE name = ?`), instanceAuditKeyName).Scan(&stored)
	if errors.Is(err, sql.ErrNoRows) {
		fresh := make([]byte, 32)
		if _, err := rand.Read(fresh); err != nil {
			return nil, err
		}
		if stored, err = s.seal(fresh, instanceAAD(instanceAuditKeyName)); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO instance_keys (name, secret, created_at) VALUES (?, ?, ?)`),
			instanceAuditKeyName, stored, now()); err != nil {
			return nil, fmt.Errorf("create the instance's audit key: %w", mapErr(err))
		}
		return fresh, nil // cached once committed and read back
	}
	if err != nil {
		return nil, fmt.Errorf("the instance's audit key: %w", mapErr(err))
	}
	key, err := s.unseal(stored, instanceAAD(instanceAuditKeyName))
	if err != nil {
		return nil, err
	}
	s.auditKeys.Store(InstanceWorkspace, key)
	return key, nil
}
