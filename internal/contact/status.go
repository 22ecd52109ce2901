package contact

import (
	"errors"
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

// DoNotContact reports whether the status means the contact must not be contacted
// (unsubscribed, blocked); bounced only says the address does not work.
func (s Status) DoNotContact() bool { return s == StatusUnsubscribed || s == StatusBlocked }

// ErrStatusLift is returned when a status change would lift a do-not-contact status by
// someone who may not overrule the person; ErrStatusReason when it gives no reason.
var (
	ErrStatusLift   = errors.New("this status records that the contact must not be contacted")
	ErrStatusReason = errors.New("lifting a do-not-contact status needs a reason")
)

// CheckStatusChange is the rule for changing a contact's status from one to another: leaving
// a do-not-contact status (unsubscribed, blocked) is for a user who may overrule a person's
// request (mayOverrule: a compliance or admin token, the operator's command line), and only
// with a reason, which is recorded. Any other change is free.
func CheckStatusChange(from, to Status, mayOverrule bool, reason string) error {
	if from == to || !from.DoNotContact() || to.DoNotContact() {
		return nil
	}
	if !mayOverrule {
		return fmt.Errorf("%w (%s): only a compliance or admin token may change it to %s", ErrStatusLift, from, to)
	}
	if strings.TrimSpace(reason) == "" {
		return fmt.Errorf("%w (%s): say why it may be lifted; it is kept on the record", ErrStatusReason, from)
	}
	return nil
}

// CheckDelete is the rule for deleting a contact of this status: deleting a do-not-contact
// contact would forget that it must not be contacted (a new import could bring it back as
// active), so it is for a user who may overrule a person's request.
func CheckDelete(status Status, mayOverrule bool) error {
	if status.DoNotContact() && !mayOverrule {
		return fmt.Errorf("%w (%s): deleting it would forget that; only a compliance or admin token may delete it", ErrStatusLift, status)
	}
	return nil
}
