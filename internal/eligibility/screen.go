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

// Blocked screens a stored contact against the do-not-contact list
// (suppress.Screen.BlocksContact, which every screening of contacts goes through).
func Blocked(s *suppress.Screen, email, phone, channel, purpose string) bool {
	return s.BlocksContact(email, phone, channel, purpose)
}
