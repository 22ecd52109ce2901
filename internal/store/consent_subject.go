package store

import (
	"context"
	"fmt"

	"github.com/clearlist/clearlist/internal/consent"
)

// ConsentSubject returns the workspace's contact id as the consent ledger names it, or
// ErrNotFound.
func (s *Store) ConsentSubject(ctx context.Context, ws, id int64) (consent.Subject, error) {
	var sub consent.Subject
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, email, email_canonical FROM contacts WHERE workspace_id = ? AND id = ?`),
		ws, id).Scan(&sub.ID, &sub.Email, &sub.Canonical)
	if err != nil {
		return consent.Subject{}, fmt.Errorf("contact %d: %w", id, mapErr(err))
	}
	return sub, nil
}

// ConsentSubjectByEmail returns the workspace's contact with this canonical e-mail address
// as the consent ledger names it, or ErrNotFound.
func (s *Store) ConsentSubjectByEmail(ctx context.Context, ws int64, canonical string) (consent.Subject, error) {
	var sub consent.Subject
	err := s.db.QueryRowContext(ctx, s.q(`SELECT id, email, email_canonical FROM contacts WHERE workspace_id = ? AND email_canonical = ?`),
		ws, canonical).Scan(&sub.ID, &sub.Email, &sub.Canonical)
	if err != nil {
		return consent.Subject{}, fmt.Errorf("contact %s: %w", canonical, mapErr(err))
	}
	return sub, nil
}
