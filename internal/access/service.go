package access

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/errs"
)

// Store is what the token service needs from the database.
type Store interface {
	CreateTokenWithRole(ctx context.Context, ws int64, name, role string) (Token, string, error)
	RevokeToken(ctx context.Context, ws, id int64) error
	Tokens(ctx context.Context, ws int64) ([]Token, error)
	Authenticate(ctx context.Context, secret string) (Token, error)
	TouchToken(ctx context.Context, t Token) error
}

// Service creates, lists and revokes a workspace's API tokens and authenticates their
// secrets. Each change is one store call in one transaction with its audit entry.
type Service struct {
	st    Store
	cache tokenCache
}

// New returns the token service over st.
func New(st Store) *Service { return &Service{st: st} }

// Create makes a new API token with one of Roles and returns it with its secret, which is
// shown once and stored only as a hash.
func (s *Service) Create(ctx context.Context, ws int64, name, role string) (Token, string, error) {
	if !slices.Contains(Roles, role) {
		return Token{}, "", fmt.Errorf("role %q: use one of %s", role, strings.Join(Roles, ", "))
	}
	if strings.TrimSpace(name) == "" {
		return Token{}, "", fmt.Errorf("a token needs a name that says what it is for, e.g. crm-sync")
	}
	return s.st.CreateTokenWithRole(ctx, ws, name, role)
}

// Revoke disables a token of the workspace at once (in this process; others stop
// accepting it within TokenTTL).
func (s *Service) Revoke(ctx context.Context, ws, id int64) error {
	err := s.st.RevokeToken(ctx, ws, id)
	if errors.Is(err, errs.ErrNotFound) {
		return fmt.Errorf("no live token %d in this workspace (see `clearlist token ls`): %w", id, errs.ErrNotFound)
	}
	if err != nil {
		return err
	}
	s.cache.forget(id)
	return nil
}

// List returns the workspace's tokens (never their secrets).
func (s *Service) List(ctx context.Context, ws int64) ([]Token, error) { return s.st.Tokens(ctx, ws) }

// Authenticate returns the live token whose secret this is, or an error wrapping
// errs.ErrNotFound for an unknown or revoked one. Answers are cached for TokenTTL (see
// tokenCache), and the token's last use is recorded at most once a minute.
func (s *Service) Authenticate(ctx context.Context, secret string) (Token, error) {
	return s.cache.authenticate(ctx, s.st, secret)
}
