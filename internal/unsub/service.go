package unsub

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/track"
)

// Store is what the service reads; the store implements it. It writes nothing itself: the
// entry goes through the Suppressor, one transaction with its audit entry.
type Store interface {
	// SigningKey returns the workspace's key of that name, creating it on first use;
	// ExistingSigningKey only reads it (errs.ErrNotFound when there is none), so that a
	// visitor's link never creates one.
	SigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	ExistingSigningKey(ctx context.Context, ws int64, name string) ([]byte, error)
	// Contact returns one contact of the workspace (errs.ErrNotFound when there is none).
	Contact(ctx context.Context, ws, id int64) (contact.Contact, error)
	// Purposes lists the workspace's purposes (the preferences page offers the marketing ones).
	Purposes(ctx context.Context, ws int64) ([]consent.Purpose, error)
}

// Suppressor is the do-not-contact list (suppress.Service): it records a request in one
// transaction with its audit entry and puts it into this process's screening index at once,
// so that the next message a campaign screens is already refused.
type Suppressor interface {
	Suppress(ctx context.Context, ws int64, reqs []suppress.Intake) ([]suppress.Suppression, int, error)
	// SuppressionsFor returns the active entries that concern an identifier.
	SuppressionsFor(ctx context.Context, ws int64, kind, value string) ([]suppress.Suppression, error)
}

// Service turns unsubscribe links into do-not-contact entries and gives the campaign
// pipeline the key its links are signed with. It is safe for concurrent use.
type Service struct {
	st     Store
	dnc    Suppressor
	events Events
}

// Events records what happened to a campaign's messages (the store's events table), so that
// the campaign's report counts its unsubscribes.
type Events interface {
	RecordEvent(ctx context.Context, e track.Event) error
}

// WithEvents has the service record an "unsubscribed" event (with the campaign and the
// contact) for every unsubscribe it records; it returns s.
func (s *Service) WithEvents(ev Events) *Service { s.events = ev; return s }

// New returns the service over st, recording through dnc.
func New(st Store, dnc Suppressor) *Service { return &Service{st: st, dnc: dnc} }

// Links returns the link builder of the workspace's messages, creating its signing key on
// first use: the campaign pipeline calls it once per campaign (or batch), then Links.For per
// message. publicBase is the server's public URL (--public-url); mailDomain the domain of the
// mailto form ("" leaves it out).
func (s *Service) Links(ctx context.Context, ws int64, publicBase, mailDomain string) (Links, error) {
	key, err := s.st.SigningKey(ctx, ws, KeyName)
	if err != nil {
		return Links{}, fmt.Errorf("unsubscribe link key: %w", err)
	}
	return NewLinks(ws, key, publicBase, mailDomain), nil
}

// Scope is what a person unsubscribes from.
type Scope string

// The choices of the page. The one-click POST is ScopePurpose.
const (
	ScopePurpose Scope = "purpose" // the purpose the message was sent for
	ScopeAll     Scope = "all"     // every message (service messages the law requires still go)
)

// ErrScope is returned for a choice that is neither purpose nor all.
var ErrScope = errors.New("choose purpose (this kind of message) or all (everything)")

// ParseScope reads the page's choice.
func ParseScope(s string) (Scope, error) {
	switch Scope(s) {
	case ScopePurpose, ScopeAll:
		return Scope(s), nil
	}
	return "", ErrScope
}

// target is a verified link and the address it is for ("" when the contact is gone).
type target struct {
	tok     Token
	address string
}

// open verifies the link and finds its contact. Every bad link is ErrLinkInvalid; only the
// store's own failures are other errors.
func (s *Service) open(ctx context.Context, token string) (target, error) {
	t, err := Decode(token)
	if err != nil {
		return target{}, err
	}
	key, err := s.st.ExistingSigningKey(ctx, t.Workspace, KeyName)
	if errors.Is(err, errs.ErrNotFound) {
		return target{}, ErrLinkInvalid // no link of this workspace was ever made
	} else if err != nil {
		return target{}, err
	}
	if t, err = Verify(token, key); err != nil {
		return target{}, err
	}
	c, err := s.st.Contact(ctx, t.Workspace, t.Contact)
	if errors.Is(err, errs.ErrNotFound) {
		return target{tok: t}, nil // deleted or erased: nothing more is sent to it anyway
	} else if err != nil {
		return target{}, err
	}
	return target{tok: t, address: cmp.Or(c.EmailCanonical, c.Email)}, nil
}

// effective is the scope a request applies: with no purpose known, "this kind of message"
// can only be read as everything.
func (t target) effective(sc Scope) suppress.Scope {
	if sc == ScopePurpose && t.tok.Purpose != "" {
		return suppress.Scope{Purpose: t.tok.Purpose}
	}
	return suppress.ScopeAll
}
