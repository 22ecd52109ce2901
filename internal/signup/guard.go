package signup

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
)

// publicList returns the id of the named list if it is open to public sign-up. An unknown
// or private list, and (with no list named) a workspace without any public list, answer
// ErrNoWorkspace, as an unknown workspace does, so that the answer reveals nothing.
func (s *Service) publicList(ctx context.Context, ws int64, name string) (*int64, error) {
	if name == "" {
		ok, err := s.st.HasPublicList(ctx, ws)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, ErrNoWorkspace
		}
		return nil, nil
	}
	l, err := s.st.ListByName(ctx, ws, name)
	if errors.Is(err, errs.ErrNotFound) || err == nil && !l.Public {
		return nil, ErrNoWorkspace
	} else if err != nil {
		return nil, err
	}
	return &l.ID, nil
}

// suppressed reports whether the address is on the do-not-contact list for e-mail (for
// any ticked purpose); such an address is sent nothing.
func (s *Service) suppressed(ctx context.Context, ws int64, ch Checked) (bool, error) {
	if s.screen == nil {
		return false, nil
	}
	return s.screen.Suppressed(ctx, ws, "email", ch.Canonical, "email", ch.Purposes)
}

// plan is what a sign-up request changes, given what is recorded already.
type plan struct {
	contact *contact.Contact // nil: a new address
	grant   []string         // purposes whose consent is not active: each gets a granted entry
	open    *Signup          // an open sign-up this request repeats: its link is renewed
	nothing bool             // nothing to confirm: no rows, no mail
}

// plan decides what a sign-up records. It never appends granted over an active consent
// (granted or confirmed): a repeated sign-up cannot weaken what the person confirmed.
func (s *Service) plan(ctx context.Context, ws int64, ch Checked, listID *int64, at time.Time) (plan, error) {
	c, err := s.st.ContactByEmail(ctx, ws, ch.Canonical)
	if errors.Is(err, errs.ErrNotFound) {
		return plan{grant: ch.Purposes}, nil
	} else if err != nil {
		return plan{}, err
	}
	p := plan{contact: &c}
	for _, pu := range ch.Purposes {
		st, err := s.st.ConsentState(ctx, ws, c.ID, pu, consent.Email)
		if err != nil {
			return plan{}, err
		}
		if !st.Active() {
			p.grant = append(p.grant, pu)
		}
	}
	open, err := s.st.OpenSignups(ctx, ws, c.ID, at)
	if err != nil {
		return plan{}, err
	}
	for i, sg := range open {
		if sameList(sg.ListID, listID) && slices.Equal(sg.Purposes, ch.Purposes) {
			p.open = &open[i]
			return p, nil
		}
	}
	if len(p.grant) > 0 {
		return p, nil
	}
	if listID == nil {
		p.nothing = true
		return p, nil
	}
	lists, err := s.st.ContactLists(ctx, ws, c.ID)
	p.nothing = slices.Contains(lists, *listID)
	return p, err
}

func sameList(a, b *int64) bool { return a == nil && b == nil || a != nil && b != nil && *a == *b }
