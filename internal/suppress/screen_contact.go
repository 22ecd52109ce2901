package suppress

import "context"

// BlocksContact screens a stored contact's e-mail address (in the import's canonical form;
// its domain too) and phone number (E.164) against the do-not-contact list. An entry for any
// of the person's identifiers counts: someone who said stop by phone with scope "all" is not
// e-mailed either. Every screening of contacts — campaign verdicts, exports, call lists —
// goes through here.
func (s *Screen) BlocksContact(email, phone, channel, purpose string) bool {
	if s.Workspace.Index.Len() == 0 && s.Instance.Index.Len() == 0 {
		return false
	}
	if email != "" {
		// The list compares as the provider does (gmail dots and tags); an address the list's
		// rules cannot read is screened as stored.
		if c, err := FromContactEmail(email, s.Options); err == nil {
			email = c
		}
		if _, ok := s.CheckCanonical(KindEmail, email, channel, purpose); ok {
			return true
		}
	}
	if phone != "" {
		if _, ok := s.CheckCanonical(KindPhone, phone, channel, purpose); ok {
			return true
		}
	}
	return false
}

// Blocked returns the screen of the workspace's contacts for every channel and purpose (an
// export leaves out everyone on the list), loaded fresh.
func (s *Service) Blocked(ctx context.Context, ws int64) (func(email, phone string) bool, error) {
	scr, err := s.Screen(ctx, ws, true)
	if err != nil {
		return nil, err
	}
	return func(email, phone string) bool { return scr.BlocksContact(email, phone, "", "") }, nil
}
