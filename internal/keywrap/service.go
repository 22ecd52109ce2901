package keywrap

import (
	"context"
	"fmt"
)

// Stored is one secret the database holds (a link-signing key, the instance key, a webhook
// secret), without its value.
type Stored struct {
	Kind      string `json:"kind"` // signing-key, instance-key or webhook
	Workspace int64  `json:"workspace,omitempty"`
	Name      string `json:"name"` // the key's name, or the webhook's id
	Wrapped   bool   `json:"wrapped"`
	KeyID     string `json:"key_id,omitempty"` // fingerprint of the key it is wrapped with
}

// Store is what the stored-keys service needs from the database. WrapSecrets and
// UnwrapSecrets rewrite every secret in one transaction, all or none.
type Store interface {
	Secrets(ctx context.Context) ([]Stored, error)
	WrapSecrets(ctx context.Context) (int, error)
	UnwrapSecrets(ctx context.Context) (int, error)
}

// Service shows and changes whether the database's stored secrets are wrapped with the
// operator's key (`clearlist keys status|wrap|unwrap`, and serve's start).
type Service struct {
	st  Store
	key *Key
}

// NewService returns the stored-keys service over st; key is the secret key the process was
// given (nil for none), which the store was opened with.
func NewService(st Store, key *Key) *Service { return &Service{st: st, key: key} }

// Key returns the secret key given to this process, or nil.
func (s *Service) Key() *Key { return s.key }

// Status is which stored secrets are wrapped, and the key given.
type Status struct {
	Secrets []Stored
	Wrapped int  // how many of Secrets are wrapped
	Key     *Key // the secret key given, or nil
}

// Status lists every stored secret and whether it is wrapped.
func (s *Service) Status(ctx context.Context) (Status, error) {
	secs, err := s.st.Secrets(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{Secrets: secs, Key: s.key}
	for _, sec := range secs {
		if sec.Wrapped {
			st.Wrapped++
		}
	}
	return st, nil
}

// Wrap wraps every secret still stored in clear with the key given and returns how many it
// wrapped.
func (s *Service) Wrap(ctx context.Context) (int, error) {
	if s.key == nil {
		return 0, fmt.Errorf("no secret key to wrap the stored keys with: give it in CLEARLIST_SECRET_KEY or with --secret-key-file FILE")
	}
	return s.st.WrapSecrets(ctx)
}

// WrapLeftInClear wraps, when a secret key is given, the secrets still stored in clear (a
// database from before the key, or one a keyless command wrote to), so that a running server
// never leaves them readable in the database; without a key it does nothing. It returns how
// many it wrapped.
func (s *Service) WrapLeftInClear(ctx context.Context) (int, error) {
	if s.key == nil {
		return 0, nil
	}
	n, err := s.st.WrapSecrets(ctx)
	if err != nil {
		// Another process starting with the same key may have wrapped them meanwhile.
		if n, err = s.st.WrapSecrets(ctx); err != nil {
			return 0, fmt.Errorf("wrap the keys stored in clear with the secret key: %w", err)
		}
	}
	return n, nil
}

// Unwrap stores every wrapped secret in clear again (before changing the secret key: unwrap
// with the old key, wrap with the new one) and returns how many it unwrapped.
func (s *Service) Unwrap(ctx context.Context) (int, error) { return s.st.UnwrapSecrets(ctx) }
