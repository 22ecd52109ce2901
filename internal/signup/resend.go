package signup

import (
	"context"
	"errors"
	"fmt"

	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/i18n"
)

// ErrSuppressedAddress refuses to mail an address the do-not-contact list covers for the
// sign-up's purposes.
var ErrSuppressedAddress = errors.New("the address is on the do-not-contact list for these purposes: nothing was sent")

// Resent is a sign-up whose confirmation link was mailed again, with the address it went to.
type Resent struct {
	Signup
	Email string `json:"email"`
}

// Resend mails an open sign-up's confirmation e-mail again, for a person who says the first
// never came: a new link and window (the earlier link stops working; audited signup.renew),
// in the language the visitor signed up in, with Content-Language — English for a sign-up
// made before the language was kept. It is the only mail clearlist sends about a sign-up
// after the visitor's request: an unconfirmed sign-up that lapses is closed without mail (the
// address may not be the visitor's: until it is confirmed, one message is all it may get).
// A sign-up confirmed, expired or past its window is ErrClosed; an address the do-not-contact
// list covers, ErrSuppressedAddress; an unknown id, errs.ErrNotFound.
func (s *Service) Resend(ctx context.Context, ws, id int64) (Resent, error) {
	if s.PublicURL == "" {
		return Resent{}, fmt.Errorf("the confirmation link needs the public pages' address: set --public-url (CLEARLIST_PUBLIC_URL)")
	}
	sg, err := s.st.Signup(ctx, ws, id)
	if err != nil {
		return Resent{}, err
	}
	at := s.now()
	if sg.ConfirmedAt != nil || sg.ExpiredAt != nil || !at.Before(sg.ExpiresAt) {
		return Resent{}, fmt.Errorf("sign-up %d: %w: the person can sign up again on the subscribe page", id, ErrClosed)
	}
	c, err := s.st.Contact(ctx, ws, sg.ContactID)
	if errors.Is(err, errs.ErrNotFound) { // erased meanwhile
		return Resent{}, fmt.Errorf("sign-up %d: its contact is gone: %w", id, ErrClosed)
	} else if err != nil {
		return Resent{}, err
	}
	if s.screen != nil {
		blocked, err := s.screen.Suppressed(ctx, ws, "email", c.EmailCanonical, "email", sg.Purposes)
		if err != nil {
			return Resent{}, err
		}
		if blocked {
			return Resent{}, fmt.Errorf("sign-up %d: %w", id, ErrSuppressedAddress)
		}
	}
	name, err := s.st.WorkspaceName(ctx, ws)
	if err != nil {
		return Resent{}, err
	}
	secret, err := NewSecret()
	if err != nil {
		return Resent{}, err
	}
	sg.ExpiresAt = at.Add(s.window())
	if err := s.st.RenewSignupLink(ctx, ws, sg.ID, SecretHash(secret), sg.ExpiresAt, sg.Lang); err != nil {
		return Resent{}, err
	}
	lang := sg.Lang
	if !i18n.Supported(lang) {
		lang = i18n.Default
	}
	if err := s.mailLink(ctx, ws, &sg, secret, lang, c.Email, name, sg.Purposes, true); err != nil {
		return Resent{}, err
	}
	return Resent{Signup: sg, Email: c.Email}, nil
}
