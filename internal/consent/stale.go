package consent

import (
	"cmp"
	"context"
	"slices"
	"time"
)

// StaleConsent is consent in force (granted or confirmed) that the person gave longer ago
// than the age asked for: a reminder to mail them (a welcome) or ask again before the
// consent goes stale, whatever kind of sign-up it came from.
type StaleConsent struct {
	ContactID int64     `json:"contact_id"`
	Email     string    `json:"email"` // "" when the contact is gone
	Key                 // purpose and channel
	State     StateName `json:"state"`
	Basis     Basis     `json:"basis"`
	EntryID   int64     `json:"entry_id"` // the entry that decided the state
	GivenAt   time.Time `json:"given_at"` // when the person acted (evidence time, else recorded)
}

// Stale lists the workspace's consents in force whose deciding entry is older than age at
// now, oldest first; purpose, when not empty, keeps that purpose only. A fresh entry for the
// purpose and channel (a reconfirmation) takes a consent off the list.
func (s *Service) Stale(ctx context.Context, ws int64, age time.Duration, now time.Time, purpose string) ([]StaleConsent, error) {
	type key struct {
		contact int64
		Key
	}
	latest := map[key]Entry{}
	err := s.st.EachConsent(ctx, ws, func(e Entry) error {
		if purpose == "" || e.Purpose == purpose {
			latest[key{e.ContactID, e.Key()}] = e
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cutoff := now.Add(-age)
	var out []StaleConsent
	for k, e := range latest {
		if e.Action != Granted && e.Action != Confirmed {
			continue
		}
		given := cmp.Or(e.Evidence.Timestamp, e.RecordedAt)
		if !given.Before(cutoff) {
			continue
		}
		out = append(out, StaleConsent{ContactID: k.contact, Key: k.Key, State: StateName(e.Action), Basis: e.Basis,
			EntryID: e.ID, GivenAt: given})
	}
	slices.SortFunc(out, func(a, b StaleConsent) int {
		return cmp.Or(a.GivenAt.Compare(b.GivenAt), cmp.Compare(a.ContactID, b.ContactID), cmp.Compare(a.Purpose, b.Purpose),
			cmp.Compare(a.Channel, b.Channel))
	})
	for i := range out {
		if sub, err := s.st.ConsentSubject(ctx, ws, out[i].ContactID); err == nil {
			out[i].Email = sub.Email
		}
	}
	return out, nil
}
