package policy

import (
	"time"

	"github.com/clearlist/clearlist/internal/consent"
)

// ConsentFromLedger is the policy's view of the latest ledger entry for a contact, purpose
// and channel (action "" when there is none): its state and when the person acted — the
// evidence timestamp, or when it was recorded when the entry has none. doubleOptIn is true
// for a confirmed entry: the double opt-in is on file, whatever the source says.
//
// A lapsed implied consent (expired on basis implied_consent) is on record for proof only
// and gives no state: the purchase and inquiry dates decide, so a later purchase gives
// implied consent anew. An unknown action gives no state (ConsentNone), which grants nothing.
func ConsentFromLedger(action consent.Action, basis consent.Basis, recordedAt, evidenceAt time.Time) (c ConsentFacts, doubleOptIn bool) {
	when := evidenceAt
	if when.IsZero() {
		when = recordedAt
	}
	switch action {
	case consent.Granted:
		c.State, c.GrantedAt = ConsentGranted, when
	case consent.Confirmed:
		c.State, c.ConfirmedAt, c.GrantedAt = ConsentConfirmed, when, when
		doubleOptIn = true
	case consent.Withdrawn:
		c.State = ConsentWithdrawn
	case consent.Expired:
		if basis != consent.BasisImpliedConsent {
			c.State = ConsentExpired
		}
	case consent.Objected:
		c.State = ConsentObjected
	}
	return c, doubleOptIn
}
