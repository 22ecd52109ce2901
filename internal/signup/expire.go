package signup

import (
	"context"
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
)

// Expire closes the workspace's sign-ups that were not confirmed in time (past their link's
// expiry, or requested more than maxAge ago) and records an expired entry for each purpose
// still pending on them, each sign-up in one transaction. It returns how many it expired.
func (s *Service) Expire(ctx context.Context, ws int64, maxAge time.Duration, now time.Time) (int, error) {
	due, err := s.st.DueSignups(ctx, ws, now, now.Add(-maxAge))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sg := range due {
		var entries []consent.Entry
		for _, p := range sg.Purposes {
			st, err := s.st.ConsentState(ctx, ws, sg.ContactID, p, consent.Email)
			if err != nil {
				return n, err
			}
			// Only a pending double opt-in lapses; a later confirmation (another sign-up),
			// withdrawal or other basis stands.
			if st.State != consent.StateGranted || st.Entry.Basis != consent.BasisDoubleOptIn {
				continue
			}
			entries = append(entries, consent.Entry{WorkspaceID: ws, ContactID: sg.ContactID, Purpose: p,
				Channel: consent.Email, Action: consent.Expired, Basis: consent.BasisDoubleOptIn, SourceID: sg.SourceID,
				Actor: "system:doi-expiry", Evidence: consent.Evidence{Timestamp: now, FormID: sg.FormID,
					FormVersion: sg.FormVersion, DocumentRef: "sign-up not confirmed by " + sg.ExpiresAt.Format(time.RFC3339)}})
		}
		err := s.st.ExpireSignup(ctx, ws, sg.ID, now, entries)
		if errors.Is(err, ErrClosed) { // confirmed meanwhile
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ExpireAll runs Expire for every workspace with open sign-ups (the hourly job).
func (s *Service) ExpireAll(ctx context.Context, maxAge time.Duration, now time.Time) (int, error) {
	wss, err := s.st.OpenSignupWorkspaces(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ws := range wss {
		n, err := s.Expire(ctx, ws, maxAge, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Stale is a confirmed sign-up not welcomed yet, with its contact's address.
type Stale struct {
	Signup
	Email string // "" when the contact is gone
}

// Stale lists the workspace's confirmed sign-ups older than age that have not been mailed a
// welcome message yet.
func (s *Service) Stale(ctx context.Context, ws int64, age time.Duration, now time.Time) ([]Stale, error) {
	list, err := s.st.UnwelcomedSignups(ctx, ws, now.Add(-age))
	if err != nil {
		return nil, err
	}
	out := make([]Stale, len(list))
	for i, sg := range list {
		out[i].Signup = sg
		if c, err := s.st.Contact(ctx, ws, sg.ContactID); err == nil {
			out[i].Email = c.Email
		}
	}
	return out, nil
}

// Welcomed records that the sign-up's welcome message went out at now; errs.ErrNotFound
// when it is no confirmed, unwelcomed sign-up of the workspace.
func (s *Service) Welcomed(ctx context.Context, ws, id int64, now time.Time) error {
	return s.st.MarkSignupWelcomed(ctx, ws, id, now)
}
