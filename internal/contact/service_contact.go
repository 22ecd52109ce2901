package contact

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/clearlist/clearlist/internal/errs"
)

// NewContact is the input of a new contact as a caller gives it.
type NewContact struct {
	Email      string
	Phone      string         // "" for none; +CC… or in the service's default region
	Status     string         // "" means active
	Country    string         // ISO 3166-1 alpha-2, any case; "" for unknown
	Kind       string         // personal, sole_trader, corporate; "" for unknown
	Attributes map[string]any // values of declared attributes: string, float64, bool or nil
	Lists      []string       // names of existing lists
	Provenance Provenance     // required
}

// Change is the input of a change to a contact: nil fields stay as they are.
type Change struct {
	Email        *string
	Phone        *string // "" removes the phone number
	Status       *string
	Country      *string        // "" makes it unknown
	Kind         *string        // "" makes it unknown
	StatusReason string         // why the status changes; needed to lift a do-not-contact status
	Attributes   map[string]any // merged into the stored attributes; nil or "" removes one
	Lists        []string       // names of existing lists; needs Provenance
	Provenance   Provenance     // optional: a source that touched the contact
}

// Create checks a new contact (address, phone, status, attributes against the declared
// schema, provenance, lists, uniqueness) and stores it with its source and lists in one
// write. A second contact with the same canonical address gives a *DuplicateError.
func (s *Service) Create(ctx context.Context, ws int64, in NewContact) (Contact, error) {
	c := Contact{WorkspaceID: ws, Status: StatusActive}
	var err error
	if c.Email, c.EmailCanonical, err = checkEmail(in.Email); err != nil {
		return Contact{}, err
	}
	if c.Phone, err = s.checkPhone(in.Phone); err != nil {
		return Contact{}, err
	}
	if in.Status != "" {
		if c.Status, err = checkStatus(in.Status); err != nil {
			return Contact{}, err
		}
	}
	if err := checkFields(&c, &in.Country, &in.Kind); err != nil {
		return Contact{}, err
	}
	if c.Attrs, err = s.mergeAttributes(ctx, ws, nil, in.Attributes); err != nil {
		return Contact{}, err
	}
	w := Write{Contact: c}
	if w.Source, err = s.checkProvenance(ctx, ws, in.Provenance, true); err != nil {
		return Contact{}, err
	}
	if w.ListIDs, err = s.resolveLists(ctx, ws, in.Lists); err != nil {
		return Contact{}, err
	}
	return s.write(ctx, w)
}

// Update applies the fields of ch that are set to contact id. Lifting a do-not-contact
// status is checked against the status stored when the write commits (CheckStatusChange):
// ErrStatusLift when who may not, an *InputError wrapping ErrStatusReason without a reason.
func (s *Service) Update(ctx context.Context, ws, id int64, ch Change, who Author) (Contact, error) {
	c, err := s.store.Contact(ctx, ws, id)
	if err != nil {
		return Contact{}, err
	}
	if ch.Email != nil {
		if c.Email, c.EmailCanonical, err = checkEmail(*ch.Email); err != nil {
			return Contact{}, err
		}
	}
	if ch.Phone != nil {
		if c.Phone, err = s.checkPhone(*ch.Phone); err != nil {
			return Contact{}, err
		}
	}
	c.Status = "" // unchanged unless given: the store compares with the status it holds
	if ch.Status != nil {
		if c.Status, err = checkStatus(*ch.Status); err != nil {
			return Contact{}, err
		}
	}
	if err := checkFields(&c, ch.Country, ch.Kind); err != nil {
		return Contact{}, err
	}
	if c.Attrs, err = s.mergeAttributes(ctx, ws, maps.Clone(c.Attrs), ch.Attributes); err != nil {
		return Contact{}, err
	}
	if len(ch.Lists) > 0 && !ch.Provenance.given() {
		return Contact{}, inputError("lists", "adding a contact to a list records where it came from: give source_id or source as well", nil)
	}
	w := Write{Contact: c}
	if w.Source, err = s.checkProvenance(ctx, ws, ch.Provenance, false); err != nil {
		return Contact{}, err
	}
	if w.ListIDs, err = s.resolveLists(ctx, ws, ch.Lists); err != nil {
		return Contact{}, err
	}
	reason := strings.TrimSpace(ch.StatusReason)
	w.By = StatusChangeBy{By: who.By, Reason: reason, Rule: func(from, to Status) error {
		return CheckStatusChange(from, to, who.MayOverrule, reason)
	}}
	saved, err := s.write(ctx, w)
	if errors.Is(err, ErrStatusReason) {
		return Contact{}, &InputError{Field: "status_reason", Msg: err.Error(), Value: ch.StatusReason, Err: err}
	}
	return saved, err
}

// UpdateByEmail is Update for the contact with this address (in any form): the CLI names
// contacts by address. errs.ErrNotFound when the workspace has no such contact.
func (s *Service) UpdateByEmail(ctx context.Context, ws int64, email string, ch Change, who Author) (Contact, error) {
	c, err := s.ContactByEmail(ctx, ws, email)
	if err != nil {
		return Contact{}, err
	}
	return s.Update(ctx, ws, c.ID, ch, who)
}

// checkFields sets the contact's country and kind from the values given (nil: unchanged).
func checkFields(c *Contact, country, kind *string) error {
	if country != nil {
		cc, err := ParseCountry(*country)
		if err != nil {
			return inputError("country", err.Error(), *country)
		}
		c.Country = cc
	}
	if kind != nil {
		k, err := ParseKind(*kind)
		if err != nil {
			return inputError("contact_kind", err.Error(), *kind)
		}
		c.Kind = k
	}
	return nil
}

// write checks that no other contact has the address, then hands the write to the store.
// The check gives the caller the other contact's id; the store's unique index decides races.
func (s *Service) write(ctx context.Context, w Write) (Contact, error) {
	c := w.Contact
	if err := s.checkUnique(ctx, c.WorkspaceID, c.EmailCanonical, c.ID); err != nil {
		return Contact{}, err
	}
	saved, err := s.store.WriteContact(ctx, w)
	if errors.Is(err, errs.ErrConflict) {
		if err := s.checkUnique(ctx, c.WorkspaceID, c.EmailCanonical, c.ID); err != nil {
			return Contact{}, err
		}
		return Contact{}, conflict{"another contact was given the e-mail address " + c.EmailCanonical + " at the same time; try again"}
	}
	return saved, err
}

// checkUnique gives a *DuplicateError when another contact (not self) has the canonical address.
func (s *Service) checkUnique(ctx context.Context, ws int64, canonical string, self int64) error {
	other, err := s.store.ContactByEmail(ctx, ws, canonical)
	switch {
	case errors.Is(err, errs.ErrNotFound):
		return nil
	case err != nil:
		return err
	case other.ID == self:
		return nil
	}
	return &DuplicateError{ExistingID: other.ID, Email: canonical}
}

// Delete removes contact id. A do-not-contact contact is deleted only by who may overrule
// the person (CheckDelete, against the status stored when the delete commits): ErrStatusLift.
func (s *Service) Delete(ctx context.Context, ws, id int64, who Author) error {
	return s.store.DeleteContactAs(ctx, ws, id, func(st Status) error { return CheckDelete(st, who.MayOverrule) })
}

// Contact returns contact id of the workspace.
func (s *Service) Contact(ctx context.Context, ws, id int64) (Contact, error) {
	return s.store.Contact(ctx, ws, id)
}

// ContactByEmail returns the contact with this address (in any form); errs.ErrNotFound when none.
func (s *Service) ContactByEmail(ctx context.Context, ws int64, email string) (Contact, error) {
	_, canonical, err := CanonicalEmail(email)
	if err != nil {
		return Contact{}, err
	}
	return s.store.ContactByEmail(ctx, ws, canonical)
}

// Contacts returns one page of the workspace's contacts in id order.
func (s *Service) Contacts(ctx context.Context, ws int64, f Filter) ([]Contact, error) {
	return s.store.Contacts(ctx, ws, f)
}

// Memberships returns the lists contact id is on, in id order.
func (s *Service) Memberships(ctx context.Context, ws, id int64) ([]List, error) {
	ids, err := s.store.ContactLists(ctx, ws, id)
	if err != nil {
		return nil, err
	}
	out := make([]List, 0, len(ids))
	for _, l := range ids {
		list, err := s.store.List(ctx, ws, l)
		if err != nil {
			return nil, err
		}
		out = append(out, list)
	}
	return out, nil
}

// ContactSources returns every source that touched contact id, the one that created it first.
func (s *Service) ContactSources(ctx context.Context, ws, id int64) ([]Source, error) {
	return s.store.ContactSources(ctx, ws, id)
}

// StatusChanges lists who changed contact id's status, when and why, oldest first;
// errs.ErrNotFound when the workspace has no such contact.
func (s *Service) StatusChanges(ctx context.Context, ws, id int64) ([]StatusChange, error) {
	if _, err := s.store.Contact(ctx, ws, id); err != nil {
		return nil, err
	}
	return s.store.StatusChanges(ctx, ws, id)
}
