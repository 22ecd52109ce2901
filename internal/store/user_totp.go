package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/audit"
)

// EnableUserTOTP stores an account's TOTP secret (wrapped like SetUserTOTP's) and replaces its
// recovery codes with the hashes given, in one transaction audited as user.totp_enrol.
func (s *Store) EnableUserTOTP(ctx context.Context, id int64, secret string, recovery [][]byte) error {
	sealed, err := s.seal([]byte(secret), userTOTPAAD(id))
	if err != nil {
		return err
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET totp_secret = ? WHERE id = ?`), sealed, id)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", id, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_recovery_codes WHERE user_id = ?`), id); err != nil {
			return err
		}
		at := now()
		for _, h := range recovery {
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO user_recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)`),
				id, h, at); err != nil {
				return mapErr(err)
			}
		}
		return s.auditTx(ctx, tx, InstanceWorkspace, "user.totp_enrol", "user", id, audit.Count("recovery_codes", len(recovery)))
	})
}

// RecoveryCodesLeft counts an account's recovery codes not used yet.
func (s *Store) RecoveryCodesLeft(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, s.q(`SELECT COUNT(*) FROM user_recovery_codes WHERE user_id = ? AND used_at IS NULL`), id).Scan(&n)
	return n, err
}

// useRecoveryTx marks an unused recovery code of the account as used; ErrNotFound when there
// is no such unused code (a wrong code, or one used already).
func (s *Store) useRecoveryTx(ctx context.Context, tx *sql.Tx, userID int64, hash []byte) error {
	res, err := tx.ExecContext(ctx, s.q(`UPDATE user_recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`),
		now(), userID, hash)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("recovery code: %w", ErrNotFound)
	}
	return nil
}

// SetSessionWorkspace moves a session to another workspace of its user (the workspace
// switcher), audited in the instance's trail as user.switch_workspace.
func (s *Store) SetSessionWorkspace(ctx context.Context, hash []byte, ws int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id, from int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT user_id, workspace_id FROM user_sessions WHERE id_hash = ?`), hash).Scan(&id, &from); err != nil {
			return mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`UPDATE user_sessions SET workspace_id = ? WHERE id_hash = ?`), ws, hash); err != nil {
			return mapErr(err)
		}
		return s.auditTx(ctx, tx, InstanceWorkspace, "user.switch_workspace", "user", id,
			audit.Diff("workspace_id", fmt.Sprint(from), fmt.Sprint(ws)))
	})
}

// CreateWorkspaceOwned creates a workspace and makes user id its owner, in one transaction
// (audited as workspace.create and user.role in the new workspace's trail).
func (s *Store) CreateWorkspaceOwned(ctx context.Context, name string, id int64) (Workspace, error) {
	var w Workspace
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM users WHERE id = ?`), id).Scan(&one); err != nil {
			return fmt.Errorf("user %d: %w", id, mapErr(err))
		}
		var err error
		if w, err = s.createWorkspaceTx(ctx, tx, name); err != nil {
			return err
		}
		return s.setRoleTx(ctx, tx, id, w.ID, "owner")
	})
	if err != nil {
		return Workspace{}, fmt.Errorf("create workspace %q: %w", name, mapErr(err))
	}
	return w, nil
}
