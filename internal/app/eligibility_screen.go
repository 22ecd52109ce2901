package app

import (
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// suppressed screens the contact's e-mail address (and its domain) and phone number against
// the do-not-contact list for the evaluation's channel and purpose. An entry for any of the
// person's identifiers counts: someone who said stop by phone with scope "all" is not
// e-mailed either.
func (ev *evaluation) suppressed(r *store.EligibilityRow) bool {
	s := ev.screen
	if s == nil || (s.Workspace.Index.Len() == 0 && s.Instance.Index.Len() == 0) {
		return false // the common case costs no hashing and no allocation
	}
	ch, p := string(ev.channel), ev.purpose
	if len(r.Email) > 0 {
		email := string(r.Email)
		// The list compares as the provider does (gmail dots and tags); an address the list's
		// rules cannot read is screened as stored.
		if c, err := suppress.FromContactEmail(email, s.Options); err == nil {
			email = c
		}
		if _, ok := s.CheckCanonical(suppress.KindEmail, email, ch, p); ok {
			return true
		}
	}
	if len(r.Phone) > 0 {
		if _, ok := s.CheckCanonical(suppress.KindPhone, string(r.Phone), ch, p); ok {
			return true
		}
	}
	return false
}
