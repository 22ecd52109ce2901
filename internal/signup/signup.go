package signup

import (
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
)

// ErrClosed is returned by the store when a sign-up can no longer be confirmed, expired or
// renewed: it was confirmed already (a replayed link), it expired, or its window has passed.
var ErrClosed = errors.New("sign-up already confirmed or expired")

// Signup is one double opt-in sign-up: what the person was shown and ticked, when and from
// where they asked and confirmed, and where its confirmation link stands.
type Signup struct {
	ID          int64             `json:"id"`
	WorkspaceID int64             `json:"-"`
	ContactID   int64             `json:"contact_id"`
	SourceID    int64             `json:"source_id"`
	ListID      *int64            `json:"list_id,omitempty"`
	Purposes    []string          `json:"purposes"`
	FormID      string            `json:"form_id"`
	FormVersion string            `json:"form_version"`
	Wording     map[string]string `json:"wording"` // purpose -> the exact text shown with its box
	TokenHash   []byte            `json:"-"`
	RequestedAt time.Time         `json:"requested_at"`
	RequestIP   string            `json:"request_ip"`
	RequestUA   string            `json:"request_ua"`
	ExpiresAt   time.Time         `json:"expires_at"`
	ConfirmedAt *time.Time        `json:"confirmed_at,omitempty"`
	ConfirmIP   string            `json:"confirm_ip,omitempty"`
	ConfirmUA   string            `json:"confirm_ua,omitempty"`
	ExpiredAt   *time.Time        `json:"expired_at,omitempty"`
	WelcomedAt  *time.Time        `json:"welcomed_at,omitempty"`
	// Lang is the i18n code of the language the visitor asked in (its latest request), the
	// language of every mail about the sign-up; "" (made before it was kept) means English.
	Lang string `json:"lang,omitempty"`
}

// Write is what one sign-up request records, committed together by Store.WriteSignup.
type Write struct {
	// Source is the sign-up's provenance, a new source saved with it.
	Source contact.Source
	// Contact, when not nil, is a new contact created with Source as its first; when nil,
	// Signup.ContactID names an existing contact.
	Contact *contact.Contact
	// Signup is the sign-up; the store sets its ID, and its SourceID (and ContactID for a
	// new contact).
	Signup Signup
	// Entries are the granted entries, one per purpose to confirm; the store sets their
	// contact and source.
	Entries []consent.Entry
}
