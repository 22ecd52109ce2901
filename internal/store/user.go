package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/user"
)

// Users are instance-wide: their own changes (add, password, disable, TOTP, logins) are audited
// in the instance's trail (InstanceWorkspace); a role is audited in its workspace's trail.

// userTOTPAAD binds a wrapped TOTP secret to its account.
func userTOTPAAD(id int64) string { return fmt.Sprintf("clearlist users id=%d totp", id) }

// CreateUser adds an account and its first role.
func (s *Store) CreateUser(ctx context.Context, u user.NewUser) (user.User, error) {
	out := user.User{Email: u.Email, Name: u.Name, CreatedAt: now()}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		out.ID, err = s.insertID(ctx, tx, `INSERT INTO users (email, name, password_hash, created_at) VALUES (?, ?, ?, ?)`,
			u.Email, u.Name, u.PasswordHash, out.CreatedAt)
		if err != nil {
			return err
		}
		if err := s.auditTx(ctx, tx, InstanceWorkspace, "user.add", "user", out.ID, audit.Set("email", u.Email),
			audit.Set("name", u.Name)); err != nil {
			return err
		}
		return s.setRoleTx(ctx, tx, out.ID, u.WorkspaceID, u.Role)
	})
	if err != nil {
		return user.User{}, fmt.Errorf("create user %s: %w", u.Email, err)
	}
	us, err := s.usersWhere(ctx, `WHERE u.id = ?`, out.ID)
	if err != nil || len(us) != 1 {
		return out, err
	}
	return us[0], nil
}

// setRoleTx gives user id role in workspace ws, audited in that workspace.
func (s *Store) setRoleTx(ctx context.Context, tx *sql.Tx, id, ws int64, role string) error {
	var before string
	err := tx.QueryRowContext(ctx, s.q(`SELECT role FROM user_memberships WHERE user_id = ? AND workspace_id = ?`), id, ws).Scan(&before)
	switch {
	case err == sql.ErrNoRows:
		_, err = tx.ExecContext(ctx, s.q(`INSERT INTO user_memberships (user_id, workspace_id, role, created_at) VALUES (?, ?, ?, ?)`),
			id, ws, role, now())
	case err == nil:
		_, err = tx.ExecContext(ctx, s.q(`UPDATE user_memberships SET role = ? WHERE user_id = ? AND workspace_id = ?`), role, id, ws)
	}
	if err != nil {
		return mapErr(err)
	}
	return s.auditTx(ctx, tx, ws, "user.role", "user", id, audit.Diff("role", before, role))
}

// Users lists every account with its roles, by e-mail address.
func (s *Store) Users(ctx context.Context) ([]user.User, error) { return s.usersWhere(ctx, ``) }

func (s *Store) usersWhere(ctx context.Context, where string, args ...any) ([]user.User, error) {
	rows, err := s.db.QueryContext(ctx, s.q(`SELECT u.id, u.email, u.name, u.disabled, u.totp_secret IS NOT NULL, u.created_at,
		u.last_login_at, m.workspace_id, w.name, m.role
		FROM users u LEFT JOIN user_memberships m ON m.user_id = u.id LEFT JOIN workspaces w ON w.id = m.workspace_id
		`+where+` ORDER BY u.email, w.name`), args...)
	if err != nil {
		return nil, fmt.Errorf("read users: %w", err)
	}
	defer rows.Close()
	var out []user.User
	for rows.Next() {
		var u user.User
		var last nullTime
		var wsID sql.NullInt64
		var wsName, role sql.NullString
		if err := rows.Scan(&u.ID, &u.Email, &u.Name, &u.Disabled, &u.TOTP, &u.CreatedAt, &last, &wsID, &wsName, &role); err != nil {
			return nil, err
		}
		u.CreatedAt, u.LastLoginAt = u.CreatedAt.UTC(), last.ptr()
		if n := len(out); n == 0 || out[n-1].ID != u.ID {
			out = append(out, u)
		}
		if wsID.Valid {
			last := &out[len(out)-1]
			last.Roles = append(last.Roles, user.Membership{WorkspaceID: wsID.Int64, Workspace: wsName.String, Role: role.String})
		}
	}
	return out, rows.Err()
}

// UserCredentials returns the account of email (lower case) with its password hash and its
// TOTP secret unwrapped, or ErrNotFound.
func (s *Store) UserCredentials(ctx context.Context, email string) (user.Credentials, error) {
	var c user.Credentials
	var secret []byte
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, password_hash, totp_secret, totp_step FROM users WHERE email = ?`), email).
		Scan(&c.ID, &c.PasswordHash, &secret, &c.TOTPStep)
	if err != nil {
		return user.Credentials{}, mapErr(err)
	}
	if secret != nil {
		plain, err := s.unseal(secret, userTOTPAAD(c.ID))
		if err != nil {
			return user.Credentials{}, err
		}
		c.TOTPSecret = string(plain)
	}
	us, err := s.usersWhere(ctx, `WHERE u.id = ?`, c.ID)
	if err != nil {
		return user.Credentials{}, err
	}
	if len(us) != 1 {
		return user.Credentials{}, ErrNotFound
	}
	c.User = us[0]
	return c, nil
}

// SetUserPassword stores a new password hash and ends the account's sessions.
func (s *Store) SetUserPassword(ctx context.Context, id int64, hash string) error {
	return s.changeUser(ctx, id, "user.passwd", true, `UPDATE users SET password_hash = ? WHERE id = ?`, []any{hash, id})
}

// SetUserDisabled disables (ending its sessions) or enables an account.
func (s *Store) SetUserDisabled(ctx context.Context, id int64, disabled bool) error {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return s.changeUser(ctx, id, action, disabled, `UPDATE users SET disabled = ? WHERE id = ?`, []any{disabled, id})
}

// SetUserTOTP stores an account's TOTP secret, wrapped with the secret key when there is one.
func (s *Store) SetUserTOTP(ctx context.Context, id int64, secret string) error {
	sealed, err := s.seal([]byte(secret), userTOTPAAD(id))
	if err != nil {
		return err
	}
	return s.changeUser(ctx, id, "user.totp_enrol", false, `UPDATE users SET totp_secret = ? WHERE id = ?`, []any{sealed, id})
}

// changeUser runs one update of an account with its audit entry, ending the account's sessions
// when endSessions.
func (s *Store) changeUser(ctx context.Context, id int64, action string, endSessions bool, query string, args []any) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.q(query), args...)
		if err != nil {
			return mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", id, ErrNotFound)
		}
		ended := int64(0)
		if endSessions {
			res, err := tx.ExecContext(ctx, s.q(`DELETE FROM user_sessions WHERE user_id = ?`), id)
			if err != nil {
				return err
			}
			ended, _ = res.RowsAffected()
		}
		return s.auditTx(ctx, tx, InstanceWorkspace, action, "user", id, audit.Count("sessions_ended", int(ended)))
	})
}

// SetUserRole gives an account role in workspace ws.
func (s *Store) SetUserRole(ctx context.Context, id, ws int64, role string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, s.q(`SELECT 1 FROM users WHERE id = ?`), id).Scan(&one); err != nil {
			return fmt.Errorf("user %d: %w", id, mapErr(err))
		}
		return s.setRoleTx(ctx, tx, id, ws, role)
	})
}

// userIDString is an account id as an audit entity id ("" for an unknown account).
func userIDString(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
