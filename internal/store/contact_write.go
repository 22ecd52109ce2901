package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/clearlist/clearlist/internal/contact"
)

// WriteContact commits one checked contact write in one transaction: the new source (when
// w.Source has no id), the contact (created when w.Contact.ID is 0, replaced otherwise, its
// status change checked with w.By.Rule and recorded), the source's touch, the list
// memberships, and the audit entry. A write that fails leaves nothing behind, no source
// either. A canonical e-mail address another contact has gives ErrConflict; a new contact
// without a source, an unknown source or list, ErrNotFound.
func (s *Store) WriteContact(ctx context.Context, w contact.Write) (contact.Contact, error) {
	c := w.Contact
	attrs, err := marshalAttrs(c.Attrs)
	if err != nil {
		return contact.Contact{}, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		var srcID int64
		if w.Source != nil {
			srcID = w.Source.ID
			if srcID == 0 {
				src := *w.Source
				src.WorkspaceID = c.WorkspaceID
				saved, err := s.insertSource(ctx, tx, src)
				if err != nil {
					return fmt.Errorf("create source: %w", err)
				}
				srcID = saved.ID
			}
		}
		if c.ID == 0 {
			c.FirstSourceID = srcID
			return s.createContactTx(ctx, tx, &c, attrs, w.ListIDs)
		}
		if srcID == 0 && len(w.ListIDs) > 0 {
			return fmt.Errorf("adding contact %d to lists without a source: %w", c.ID, ErrNotFound)
		}
		return s.updateContactTx(ctx, tx, c, attrs, srcID, w.ListIDs, w.By)
	})
	switch {
	case err != nil && w.Contact.ID == 0:
		return contact.Contact{}, fmt.Errorf("create contact %s: %w", c.EmailCanonical, err)
	case err != nil:
		return contact.Contact{}, fmt.Errorf("update contact %d: %w", c.ID, err)
	case w.Contact.ID == 0:
		return c, nil
	}
	return s.Contact(ctx, c.WorkspaceID, c.ID)
}

// The contact service's store is this one.
var _ contact.Store = (*Store)(nil)
