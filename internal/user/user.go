// Package user holds the people who sign in to the admin UI: their accounts (argon2id
// passwords, optional TOTP), their role in each workspace, their sessions and the login
// throttle. Every change is one store call in one transaction with its audit entry.
package user

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/access"
)

// User is an account's public record (never its password hash or TOTP secret).
type User struct {
	ID          int64        `json:"id"`
	Email       string       `json:"email"`
	Name        string       `json:"name"`
	Disabled    bool         `json:"disabled"`
	TOTP        bool         `json:"totp"` // a second factor is enrolled
	CreatedAt   time.Time    `json:"created_at"`
	LastLoginAt *time.Time   `json:"last_login_at,omitempty"`
	Roles       []Membership `json:"roles"`
}

// Membership is a user's role in one workspace.
type Membership struct {
	WorkspaceID int64  `json:"workspace_id"`
	Workspace   string `json:"workspace"`
	Role        string `json:"role"`
}

// Credentials is what a login checks: the account with its password hash and its TOTP secret
// (clear, "" when none is enrolled), as the store unwrapped it.
type Credentials struct {
	User
	PasswordHash string
	TOTPSecret   string
	TOTPStep     int64 // the last 30-second step whose code signed in: a code is good once
}

// NewUser is an account about to be created with its first role.
type NewUser struct {
	Email        string
	Name         string
	PasswordHash string
	WorkspaceID  int64
	Role         string
}

// Errors callers branch on.
var (
	// ErrBadCredentials is every failed login: unknown account, wrong password, wrong or
	// missing code. The answer does not say which.
	ErrBadCredentials = errors.New("wrong e-mail, password or code")
	// ErrDisabled is a login to a disabled account with the right password.
	ErrDisabled = errors.New("this account is disabled; ask an owner to enable it again")
	// ErrNoRole is a login of an account without a role in the workspace asked for.
	ErrNoRole = errors.New("this account has no role in the workspace; ask an owner (`clearlist user role EMAIL ROLE --workspace W`)")
	// ErrSessionEnded is a session that is unknown, expired, idle too long or whose user was
	// disabled: sign in again.
	ErrSessionEnded = errors.New("the session has ended; sign in again")
)

// ThrottledError is a login refused because too many failed for the account or the client
// address; it says when to try again.
type ThrottledError struct{ Until time.Time }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins; try again after %s", e.Until.UTC().Format("15:04:05 UTC"))
}

// NormalEmail returns an address in the form accounts are stored under (lower case), or an
// error that says what is wrong.
func NormalEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "", fmt.Errorf("%q is not an e-mail address: give it as name@example.com", s)
	}
	return strings.ToLower(s), nil
}

// CheckRole returns an error naming the valid roles when role is not one of access.UserRoles.
func CheckRole(role string) error {
	if !slices.Contains(access.UserRoles, role) {
		return fmt.Errorf("role %q: use one of %s", role, strings.Join(access.UserRoles, ", "))
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
