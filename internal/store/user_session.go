package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/user"
)

// throttleLockClass serialises the read-modify-write of the login throttle on PostgreSQL
// (SQLite's write transaction is exclusive already). 1819240307 = "logs".
const throttleLockClass = 1819240307

// LoginThrottles returns the stored throttle rows of keys (those with none are left out).
func (s *Store) LoginThrottles(ctx context.Context, keys []string) ([]user.Throttle, error) {
	var out []user.Throttle
	for _, k := range keys {
		t, ok, err := s.throttle(ctx, s.db, k)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, t)
		}
	}
	return out, nil
}

func (s *Store) throttle(ctx context.Context, ex execer, key string) (user.Throttle, bool, error) {
	t := user.Throttle{Key: key}
	err := ex.QueryRowContext(ctx, s.q(`SELECT failures, last_failure, locked_until FROM login_throttle WHERE key = ?`), key).
		Scan(&t.Failures, &t.LastFailure, &t.LockedUntil)
	if err == sql.ErrNoRows {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("read login throttle: %w", err)
	}
	t.LastFailure, t.LockedUntil = t.LastFailure.UTC(), t.LockedUntil.UTC()
	return t, true, nil
}

// RecordLoginFailure counts a failed login against its throttle keys (f.Next computes each new
// row) and audits it in the instance's trail, the address typed as a keyed hash.
func (s *Store) RecordLoginFailure(ctx context.Context, f user.LoginFailure) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.lockClass(ctx, tx, throttleLockClass, 0); err != nil {
			return err
		}
		for _, k := range f.Keys {
			t, _, err := s.throttle(ctx, tx, k)
			if err != nil {
				return err
			}
			t = f.Next(t)
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM login_throttle WHERE key = ?`), k); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO login_throttle (key, failures, last_failure, locked_until) VALUES (?, ?, ?, ?)`),
				k, t.Failures, t.LastFailure, t.LockedUntil); err != nil {
				return mapErr(err)
			}
		}
		return s.auditTxID(ctx, tx, InstanceWorkspace, "user.login_failed", "user", userIDString(f.UserID),
			audit.PersonalSet("email", "", f.Email), audit.Set("reason", f.Reason))
	})
}

// StartSession records a new session at a successful login: it ends the session the browser
// had (so an id planted before the login is worthless), drops the user's expired sessions,
// notes the login (and a new hash of the password when its parameters were old), clears the
// throttle keys and audits the login.
func (s *Store) StartSession(ctx context.Context, ns user.NewSession) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if ns.Replaces != nil {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_sessions WHERE id_hash = ?`), ns.Replaces); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_sessions WHERE user_id = ? AND expires_at <= ?`), ns.UserID, ns.At); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.q(`INSERT INTO user_sessions (id_hash, user_id, workspace_id, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`), ns.IDHash, ns.UserID, ns.WorkspaceID, ns.At, ns.At, ns.ExpiresAt); err != nil {
			return mapErr(err)
		}
		if ns.TOTPStep > 0 {
			// Only one login per code: a second one with the same code (even at the same moment,
			// from another process) finds the step taken.
			res, err := tx.ExecContext(ctx, s.q(`UPDATE users SET totp_step = ? WHERE id = ? AND totp_step < ?`), ns.TOTPStep, ns.UserID, ns.TOTPStep)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("the code of step %d was used already: %w", ns.TOTPStep, ErrConflict)
			}
		}
		if ns.Recovery != nil {
			if err := s.useRecoveryTx(ctx, tx, ns.UserID, ns.Recovery); err != nil {
				return err
			}
		}
		query, args := `UPDATE users SET last_login_at = ? WHERE id = ?`, []any{ns.At, ns.UserID}
		if ns.Rehash != "" {
			query, args = `UPDATE users SET last_login_at = ?, password_hash = ? WHERE id = ?`, []any{ns.At, ns.Rehash, ns.UserID}
		}
		if _, err := tx.ExecContext(ctx, s.q(query), args...); err != nil {
			return err
		}
		for _, k := range ns.Clear {
			if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM login_throttle WHERE key = ?`), k); err != nil {
				return err
			}
		}
		changes := []audit.Change{audit.Set("workspace_id", fmt.Sprint(ns.WorkspaceID)), audit.PersonalSet("ip", "", ns.IP)}
		if ns.Recovery != nil {
			changes = append(changes, audit.Set("second_factor", "recovery code"))
		}
		return s.auditTx(ctx, tx, InstanceWorkspace, "user.login", "user", ns.UserID, changes...)
	})
}

// SessionByHash returns the session stored under hash with its user and the user's role in
// the session's workspace ("" when it has none), or ErrNotFound.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (user.Session, error) {
	var ss user.Session
	var role sql.NullString
	err := s.db.QueryRowContext(ctx, s.q(`SELECT s.user_id, u.email, u.name, u.disabled, s.workspace_id, w.name, m.role,
		s.created_at, s.last_seen_at, s.expires_at
		FROM user_sessions s JOIN users u ON u.id = s.user_id JOIN workspaces w ON w.id = s.workspace_id
		LEFT JOIN user_memberships m ON m.user_id = s.user_id AND m.workspace_id = s.workspace_id
		WHERE s.id_hash = ?`), hash).Scan(&ss.UserID, &ss.Email, &ss.Name, &ss.Disabled, &ss.WorkspaceID, &ss.Workspace, &role,
		&ss.CreatedAt, &ss.LastSeenAt, &ss.ExpiresAt)
	if err != nil {
		return user.Session{}, mapErr(err)
	}
	ss.Role = role.String
	ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt = ss.CreatedAt.UTC(), ss.LastSeenAt.UTC(), ss.ExpiresAt.UTC()
	return ss, nil
}

// TouchSession records that a session was used at at (the idle timeout counts from there).
func (s *Store) TouchSession(ctx context.Context, hash []byte, at time.Time) error {
	_, err := s.db.ExecContext(ctx, s.q(`UPDATE user_sessions SET last_seen_at = ? WHERE id_hash = ?`), at.UTC(), hash)
	return err
}

// EndSession deletes a session (logout), audited as its user's; ErrNotFound when there is none.
func (s *Store) EndSession(ctx context.Context, hash []byte) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, s.q(`SELECT user_id FROM user_sessions WHERE id_hash = ?`), hash).Scan(&id); err != nil {
			return mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_sessions WHERE id_hash = ?`), hash); err != nil {
			return err
		}
		return s.auditTx(ctx, tx, InstanceWorkspace, "user.logout", "user", id)
	})
}
