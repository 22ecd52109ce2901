package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/audit"
)

// WrapSecrets wraps every secret still stored in clear with the store's key, in one
// transaction, and returns how many it wrapped.
func (s *Store) WrapSecrets(ctx context.Context) (int, error) {
	if s.key == nil {
		return 0, fmt.Errorf("no secret key to wrap the stored keys with: %s", howToGiveKey)
	}
	return s.rewriteSecrets(ctx, "keys.wrap", func(sec secretRow) ([]byte, error) {
		if sec.Wrapped {
			return nil, nil
		}
		return s.key.Wrap(sec.value, sec.aad)
	})
}

// UnwrapSecrets stores every wrapped secret in clear again (before changing the secret key:
// unwrap with the old key, wrap with the new one) and returns how many it unwrapped.
func (s *Store) UnwrapSecrets(ctx context.Context) (int, error) {
	return s.rewriteSecrets(ctx, "keys.unwrap", func(sec secretRow) ([]byte, error) {
		if !sec.Wrapped {
			return nil, nil
		}
		return s.unseal(sec.value, sec.aad)
	})
}

// rewriteSecrets replaces each secret with what change returns (nil: leave it), all or none;
// a rewrite that changed any is one entry (action) in the instance's audit trail (workspace 0).
func (s *Store) rewriteSecrets(ctx context.Context, action string, change func(secretRow) ([]byte, error)) (int, error) {
	secs, err := s.secretRows(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		for _, sec := range secs {
			v, err := change(sec)
			if err != nil {
				return fmt.Errorf("%s %s: %w", sec.Kind, sec.Name, err)
			}
			if v == nil {
				continue
			}
			args := append([]any{v}, sec.args...)
			args = append(args, sec.value)
			col := cmp.Or(sec.col, "secret")
			res, err := tx.ExecContext(ctx, s.q(`UPDATE `+sec.table+` SET `+col+` = ? WHERE `+sec.where+` AND `+col+` = ?`), args...)
			if err != nil {
				return fmt.Errorf("rewrite %s %s: %w", sec.Kind, sec.Name, err)
			}
			if k, _ := res.RowsAffected(); k != 1 {
				return fmt.Errorf("%s %s changed meanwhile; run the command again", sec.Kind, sec.Name)
			}
			n++
		}
		if n == 0 {
			return nil
		}
		return s.auditTx(ctx, tx, 0, action, "secret_key", 0, audit.Count("keys", n))
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
