package contact

import (
	"context"
)

// Store is what the contact service reads and writes; *store.Store implements it.
type Store interface {
	// WriteContact commits a checked write in one transaction with its audit entry; a
	// canonical e-mail address another contact has gives errs.ErrConflict.
	WriteContact(ctx context.Context, w Write) (Contact, error)
	Contact(ctx context.Context, ws, id int64) (Contact, error)
	ContactByEmail(ctx context.Context, ws int64, canonical string) (Contact, error)
	Contacts(ctx context.Context, ws int64, f Filter) ([]Contact, error)
	ContactLists(ctx context.Context, ws, id int64) ([]int64, error)
	ContactSources(ctx context.Context, ws, contactID int64) ([]Source, error)
	// DeleteContactAs deletes a contact after rule has accepted its stored status.
	DeleteContactAs(ctx context.Context, ws, id int64, rule func(Status) error) error
	StatusChanges(ctx context.Context, ws, contactID int64) ([]StatusChange, error)

	CreateList(ctx context.Context, l List) (List, error)
	List(ctx context.Context, ws, id int64) (List, error)
	ListByName(ctx context.Context, ws int64, name string) (List, error)
	Lists(ctx context.Context, ws int64) ([]ListWithCount, error)
	// ListsPage is a page of Lists: at most limit lists whose name sorts after after.
	ListsPage(ctx context.Context, ws int64, after string, limit int) ([]ListWithCount, error)
	SetListPublic(ctx context.Context, ws, id int64, public bool) (List, error)
	DeleteList(ctx context.Context, ws, id int64) error

	AddAttribute(ctx context.Context, ws int64, a Attribute) error
	RemoveAttribute(ctx context.Context, ws int64, name string) error
	Attributes(ctx context.Context, ws int64) ([]Attribute, error)

	CreateSource(ctx context.Context, src Source) (Source, error)
	Source(ctx context.Context, ws, id int64) (Source, error)
	Sources(ctx context.Context, ws, before int64, limit int) ([]Source, error)
}

// Service holds the rules of contacts, lists, attributes and sources: every write of the API
// and the command line goes through it, and it hands the store one checked write. It is safe
// for concurrent use.
type Service struct {
	store  Store
	region string
}

// New returns the service over st; defaultRegion (ISO 3166, e.g. "DE") reads phone numbers
// written without +CC.
func New(st Store, defaultRegion string) *Service {
	return &Service{store: st, region: defaultRegion}
}

// Author says who makes a write: By is recorded with a status change, and MayOverrule says
// whether they may lift what a person asked for (a compliance or admin token, the operator).
type Author struct {
	By          string
	MayOverrule bool
}
