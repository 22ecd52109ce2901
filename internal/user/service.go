package user

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/workspace"
)

// Store is what the user service needs from the database. Each writing method is one
// transaction with its audit entry.
type Store interface {
	CreateUser(ctx context.Context, u NewUser) (User, error)
	Users(ctx context.Context) ([]User, error)
	UserCredentials(ctx context.Context, email string) (Credentials, error)
	SetUserPassword(ctx context.Context, id int64, hash string) error
	SetUserDisabled(ctx context.Context, id int64, disabled bool) error
	SetUserRole(ctx context.Context, id, ws int64, role string) error
	SetUserTOTP(ctx context.Context, id int64, secret string) error
	EnableUserTOTP(ctx context.Context, id int64, secret string, recovery [][]byte) error
	RecoveryCodesLeft(ctx context.Context, id int64) (int, error)
	SetSessionWorkspace(ctx context.Context, hash []byte, ws int64) error
	LoginThrottles(ctx context.Context, keys []string) ([]Throttle, error)
	RecordLoginFailure(ctx context.Context, f LoginFailure) error
	StartSession(ctx context.Context, s NewSession) error
	SessionByHash(ctx context.Context, hash []byte) (Session, error)
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	EndSession(ctx context.Context, hash []byte) error
	// Workspaces lists the instance's workspaces (for a token's own, by id).
	Workspaces(ctx context.Context) ([]workspace.Workspace, error)
}

// Options tune the service; zero values take the defaults.
type Options struct {
	Params   Params           // password hashing; zero means DefaultParams
	Policy   Policy           // login throttle; zero means DefaultPolicy
	Lifetime time.Duration    // a session's longest life; 0 means 12 h
	Idle     time.Duration    // a session unused this long ends; 0 means 1 h
	Now      func() time.Time // the clock; nil means time.Now
}

// Service manages accounts, roles, logins and sessions.
type Service struct {
	st   Store
	opt  Options
	hash chan struct{} // one slot per core: argon2 is memory-hard, a login flood must queue
}

// New returns the user service over st.
func New(st Store, opt Options) *Service {
	if opt.Params == (Params{}) {
		opt.Params = DefaultParams
	}
	if opt.Policy == (Policy{}) {
		opt.Policy = DefaultPolicy
	}
	if opt.Lifetime <= 0 {
		opt.Lifetime = 12 * time.Hour
	}
	if opt.Idle <= 0 {
		opt.Idle = time.Hour
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	return &Service{st: st, opt: opt, hash: make(chan struct{}, runtime.GOMAXPROCS(0))}
}

// hashPassword hashes pw with the service's parameters, one hash per core at a time.
func (s *Service) hashPassword(ctx context.Context, pw string) (string, error) {
	if err := s.acquire(ctx); err != nil {
		return "", err
	}
	defer func() { <-s.hash }()
	return s.opt.Params.Hash(pw)
}

func (s *Service) verifyPassword(ctx context.Context, encoded, pw string) (bool, error) {
	if err := s.acquire(ctx); err != nil {
		return false, err
	}
	defer func() { <-s.hash }()
	return VerifyPassword(encoded, pw)
}

func (s *Service) acquire(ctx context.Context) error {
	select {
	case s.hash <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Add creates an account with a role in workspace ws.
func (s *Service) Add(ctx context.Context, email, name, password string, ws int64, role string) (User, error) {
	email, err := NormalEmail(email)
	if err != nil {
		return User{}, err
	}
	if err := CheckRole(role); err != nil {
		return User{}, err
	}
	if err := CheckPassword(password); err != nil {
		return User{}, err
	}
	h, err := s.hashPassword(ctx, password)
	if err != nil {
		return User{}, err
	}
	u, err := s.st.CreateUser(ctx, NewUser{Email: email, Name: name, PasswordHash: h, WorkspaceID: ws, Role: role})
	if errors.Is(err, errs.ErrConflict) {
		return User{}, fmt.Errorf("there is already an account %s (see `clearlist user ls`): %w", email, errs.ErrConflict)
	}
	return u, err
}

// List returns every account with its roles.
func (s *Service) List(ctx context.Context) ([]User, error) { return s.st.Users(ctx) }

// Any reports whether at least one account exists (serve tells how to create the owner when not).
func (s *Service) Any(ctx context.Context) (bool, error) {
	us, err := s.st.Users(ctx)
	return len(us) > 0, err
}

// account returns the account of email, with an error that says what to do when there is none.
func (s *Service) account(ctx context.Context, email string) (Credentials, error) {
	e, err := NormalEmail(email)
	if err != nil {
		return Credentials{}, err
	}
	c, err := s.st.UserCredentials(ctx, e)
	if errors.Is(err, errs.ErrNotFound) {
		return Credentials{}, fmt.Errorf("no account %s (see `clearlist user ls`): %w", e, errs.ErrNotFound)
	}
	return c, err
}

// SetPassword gives the account a new password and ends its sessions.
func (s *Service) SetPassword(ctx context.Context, email, password string) error {
	if err := CheckPassword(password); err != nil {
		return err
	}
	c, err := s.account(ctx, email)
	if err != nil {
		return err
	}
	h, err := s.hashPassword(ctx, password)
	if err != nil {
		return err
	}
	return s.st.SetUserPassword(ctx, c.ID, h)
}

// SetDisabled disables (ending its sessions) or enables the account.
func (s *Service) SetDisabled(ctx context.Context, email string, disabled bool) error {
	c, err := s.account(ctx, email)
	if err != nil {
		return err
	}
	return s.st.SetUserDisabled(ctx, c.ID, disabled)
}

// SetRole gives the account role in workspace ws (adding it to the workspace).
func (s *Service) SetRole(ctx context.Context, email string, ws int64, role string) error {
	if err := CheckRole(role); err != nil {
		return err
	}
	c, err := s.account(ctx, email)
	if err != nil {
		return err
	}
	return s.st.SetUserRole(ctx, c.ID, ws, role)
}

// EnrolTOTP stores secret as the account's second factor once code shows that the
// authenticator app holds it (see NewTOTP); from then on every login asks for a code.
func (s *Service) EnrolTOTP(ctx context.Context, email, secret, code string) error {
	c, err := s.account(ctx, email)
	if err != nil {
		return err
	}
	if !validCode(secret, code, s.opt.Now()) {
		return fmt.Errorf("the code does not match the key: enter the 6-digit code the authenticator app shows now")
	}
	return s.st.SetUserTOTP(ctx, c.ID, secret)
}
