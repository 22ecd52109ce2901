package contact

import (
	"fmt"
	"strings"
)

// Status is a contact's subscription state.
type Status string

// The statuses a contact can have.
const (
	StatusActive       Status = "active"       // may be sent to, subject to consent
	StatusUnsubscribed Status = "unsubscribed" // asked not to be sent to
	StatusBounced      Status = "bounced"      // the address does not accept mail
	StatusBlocked      Status = "blocked"      // blocked by an operator
)

// statusWords maps the words found in exported lists to a Status.
var statusWords = map[string]Status{
	"active":       StatusActive,
	"subscribed":   StatusActive,
	"unsubscribed": StatusUnsubscribed,
	"opted-out":    StatusUnsubscribed,
	"opted out":    StatusUnsubscribed,
	"optout":       StatusUnsubscribed,
	"bounced":      StatusBounced,
	"blocked":      StatusBlocked,
}

// ParseStatus reads a status case-insensitively, accepting a few common
// synonyms (subscribed, opted-out). An empty string is an error: a cell that
// gives no status means "unchanged", which the caller decides.
func ParseStatus(s string) (Status, error) {
	if st, ok := statusWords[strings.ToLower(strings.TrimSpace(s))]; ok {
		return st, nil
	}
	return "", fmt.Errorf("unknown status %s: use active, unsubscribed, bounced or blocked", quoteShort(s))
}
