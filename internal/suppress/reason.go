package suppress

import (
	"fmt"
	"strings"
)

// Reason is why an entry is on the list.
type Reason string

// The reasons an entry can have.
const (
	ReasonUnsubscribe      Reason = "unsubscribe"       // a link, a one-click POST or a reply
	ReasonComplaint        Reason = "complaint"         // a spam report (feedback loop)
	ReasonHardBounce       Reason = "hard-bounce"       // the address does not exist
	ReasonRequestPhone     Reason = "request-phone"     // asked on a call
	ReasonRequestEmail     Reason = "request-email"     // asked by e-mail
	ReasonRequestWeb       Reason = "request-web"       // asked on a web form
	ReasonRequestLetter    Reason = "request-letter"    // asked by post
	ReasonRequestInPerson  Reason = "request-in-person" // asked face to face
	ReasonErasure          Reason = "erasure"           // erased on request; kept as a hash only
	ReasonNationalRegistry Reason = "national-registry" // on a national do-not-call registry
	ReasonCRM              Reason = "crm"               // flagged in a connected CRM
	ReasonManual           Reason = "manual"            // added by a user
)

// Reasons lists every reason, in the order they are documented.
func Reasons() []Reason {
	return []Reason{ReasonUnsubscribe, ReasonComplaint, ReasonHardBounce,
		ReasonRequestPhone, ReasonRequestEmail, ReasonRequestWeb, ReasonRequestLetter,
		ReasonRequestInPerson, ReasonErasure, ReasonNationalRegistry, ReasonCRM, ReasonManual}
}

// Valid reports whether r is one of the reasons.
func (r Reason) Valid() bool {
	for _, x := range Reasons() {
		if r == x {
			return true
		}
	}
	return false
}

// ParseReason reads a reason as a user types it (case and "_" or " " for "-"
// do not matter); the error lists the accepted values.
func ParseReason(s string) (Reason, error) {
	r := Reason(strings.NewReplacer("_", "-", " ", "-").Replace(strings.ToLower(strings.TrimSpace(s))))
	if r == "bounce" {
		r = ReasonHardBounce
	}
	if r.Valid() {
		return r, nil
	}
	names := make([]string, 0, len(Reasons()))
	for _, x := range Reasons() {
		names = append(names, string(x))
	}
	return "", fmt.Errorf("%w: unknown reason %q: use one of %s", ErrInvalid, s, strings.Join(names, ", "))
}

// PersonOriginated reports whether an entry of this reason records what the person did or
// asked (an unsubscribe, a complaint, a request by any channel, an erasure): such an entry
// is lifted only by a role that may overrule a person's request (compliance, admin), with a
// reason on the record.
func (r Reason) PersonOriginated() bool {
	switch r {
	case ReasonUnsubscribe, ReasonComplaint, ReasonErasure, ReasonRequestPhone, ReasonRequestEmail,
		ReasonRequestWeb, ReasonRequestLetter, ReasonRequestInPerson:
		return true
	}
	return false
}
