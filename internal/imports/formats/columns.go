package formats

import (
	"strings"

	"github.com/clearlist/clearlist/internal/contact"
)

// The canonical import column names this package fills (shared by every import path).
const (
	ColEmail              = "email"
	ColStatus             = "status"
	ColCountry            = "country"
	ColFirstName          = "first_name"
	ColLastName           = "last_name"
	ColName               = "name"
	ColConsentChannel     = "consent_channel"
	ColConsentAction      = "consent_action"
	ColConsentAt          = "consent_at"
	ColConsentIP          = "consent_ip"
	ColConsentConfirmedAt = "consent_confirmed_at"
	ColConsentConfirmedIP = "consent_confirmed_ip"
	ColConsentCollector   = "consent_collector"
)

// The consent actions a row can carry.
const (
	ActionGranted   = "granted"
	ActionConfirmed = "confirmed"
)

// clashes reports whether a column name of the sender's file would clash with a canonical
// column the reader fills (filled, squashed) or with a column the import reads for consent
// and evidence (consent_*, evidence_*): such a column is not passed through but counted as
// left over, so that nothing in the sender's file overrides what the mapping says.
func clashes(name string, filled map[string]bool) bool {
	s := contact.SquashName(name)
	if filled[s] || s == "emailaddress" || s == "status" {
		return true
	}
	return strings.HasPrefix(s, "consent") || strings.HasPrefix(s, "evidence")
}

// squashSet squashes names into a set for clashes.
func squashSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[contact.SquashName(n)] = true
	}
	return m
}
