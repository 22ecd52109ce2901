package policy

import (
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
)

// TestConsentFromLedger: every action of the ledger maps to its state, with the time the
// person acted (the evidence timestamp, else when it was recorded); a confirmed entry is the
// double opt-in on file; a lapsed implied consent gives no state, any other expiry does.
func TestConsentFromLedger(t *testing.T) {
	rec := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
	acted := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		action      consent.Action
		basis       consent.Basis
		evidenceAt  time.Time
		want        ConsentFacts
		doubleOptIn bool
	}{
		{"", "", time.Time{}, ConsentFacts{}, false},
		{consent.Granted, consent.BasisConsent, acted, ConsentFacts{State: ConsentGranted, GrantedAt: acted}, false},
		{consent.Granted, consent.BasisConsent, time.Time{}, ConsentFacts{State: ConsentGranted, GrantedAt: rec}, false},
		{consent.Confirmed, consent.BasisDoubleOptIn, acted, ConsentFacts{State: ConsentConfirmed, GrantedAt: acted, ConfirmedAt: acted}, true},
		{consent.Withdrawn, consent.BasisConsent, acted, ConsentFacts{State: ConsentWithdrawn}, false},
		{consent.Objected, consent.BasisLegitimateInterest, acted, ConsentFacts{State: ConsentObjected}, false},
		{consent.Expired, consent.BasisConsent, acted, ConsentFacts{State: ConsentExpired}, false},
		{consent.Expired, consent.BasisImpliedConsent, acted, ConsentFacts{}, false},
		{"revoked", consent.BasisConsent, acted, ConsentFacts{}, false}, // unknown: nothing granted
	}
	for _, tt := range tests {
		got, dbl := ConsentFromLedger(tt.action, tt.basis, rec, tt.evidenceAt)
		if got != tt.want || dbl != tt.doubleOptIn {
			t.Errorf("%q/%q at %v: got %+v double opt-in %v; want %+v %v", tt.action, tt.basis, tt.evidenceAt,
				got, dbl, tt.want, tt.doubleOptIn)
		}
	}
}
