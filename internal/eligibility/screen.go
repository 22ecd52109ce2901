package eligibility

import (
	"github.com/clearlist/clearlist/internal/suppress"
)

// suppressed screens the contact of an eligibility row for the Evaluation's channel and
// purpose (see Blocked).
func (ev *Evaluation) suppressed(r *Row) bool {
	s := ev.screen
	if s == nil || listsEmpty(s) {
		return false // the common case costs no hashing and no allocation
	}
	return Blocked(s, string(r.Email), string(r.Phone), string(ev.channel), ev.purpose)
}

func listsEmpty(s *suppress.Screen) bool {
	return s.Workspace.Index.Len() == 0 && s.Instance.Index.Len() == 0
}

// Blocked screens a stored contact's e-mail address (in the import's canonical form;
// its domain too) and phone number (E.164) against the do-not-contact list. An entry for any
// of the person's identifiers counts: someone who said stop by phone with scope "all" is not
// e-mailed either. Every screening of contacts — campaign verdicts, exports, call lists —
// goes through here.
func Blocked(s *suppress.Screen, email, phone, channel, purpose string) bool {
	if listsEmpty(s) {
		return false
	}
	if email != "" {
		// The list compares as the provider does (gmail dots and tags); an address the list's
		// rules cannot read is screened as stored.
		if c, err := suppress.FromContactEmail(email, s.Options); err == nil {
			email = c
		}
		if _, ok := s.CheckCanonical(suppress.KindEmail, email, channel, purpose); ok {
			return true
		}
	}
	if phone != "" {
		if _, ok := s.CheckCanonical(suppress.KindPhone, phone, channel, purpose); ok {
			return true
		}
	}
	return false
}
