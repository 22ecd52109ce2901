package app

import (
	"context"
	"errors"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/store"
)

// ExpireSignups closes the workspace's sign-ups that were not confirmed in time (past their
// link's expiry, or requested more than maxAge ago) and records an expired entry for each
// purpose still pending on them. It returns how many sign-ups it expired.
func ExpireSignups(ctx context.Context, st *store.Store, ws int64, maxAge time.Duration, now time.Time) (int, error) {
	due, err := st.DueSignups(ctx, ws, now, now.Add(-maxAge))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sg := range due {
		var entries []consent.Entry
		for _, p := range sg.Purposes {
			s, err := st.ConsentState(ctx, ws, sg.ContactID, p, consent.Email)
			if err != nil {
				return n, err
			}
			// Only a pending double opt-in lapses; a later confirmation (another sign-up),
			// withdrawal or other basis stands.
			if s.State != consent.StateGranted || s.Entry.Basis != consent.BasisDoubleOptIn {
				continue
			}
			entries = append(entries, consent.Entry{WorkspaceID: ws, ContactID: sg.ContactID, Purpose: p,
				Channel: consent.Email, Action: consent.Expired, Basis: consent.BasisDoubleOptIn, SourceID: sg.SourceID,
				Actor: "system:doi-expiry", Evidence: consent.Evidence{Timestamp: now, FormID: sg.FormID,
					FormVersion: sg.FormVersion, DocumentRef: "sign-up not confirmed by " + sg.ExpiresAt.Format(time.RFC3339)}})
		}
		err := st.ExpireSignup(ctx, ws, sg.ID, now, entries)
		if errors.Is(err, store.ErrSignupClosed) { // confirmed meanwhile
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ExpireAllSignups runs ExpireSignups for every workspace with open sign-ups.
func ExpireAllSignups(ctx context.Context, st *store.Store, maxAge time.Duration, now time.Time) (int, error) {
	wss, err := st.OpenSignupWorkspaces(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, ws := range wss {
		n, err := ExpireSignups(ctx, st, ws, maxAge, now)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// StaleSignups lists the workspace's confirmed sign-ups older than age that have not been
// mailed a welcome message yet.
func StaleSignups(ctx context.Context, st *store.Store, ws int64, age time.Duration, now time.Time) ([]store.Signup, error) {
	return st.UnwelcomedSignups(ctx, ws, now.Add(-age))
}
