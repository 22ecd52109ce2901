package suppress

import (
	"fmt"
	"strings"
)

// The channels a request can come in by (Entry.ChannelIn).
const (
	InEmail    = "email"     // an e-mail or a reply
	InOneClick = "one-click" // an RFC 8058 List-Unsubscribe POST
	InWeb      = "web"       // a web form or the preference page
	InPhone    = "phone"     // a call
	InSMS      = "sms"       // a text, e.g. STOP
	InLetter   = "letter"    // post
	InInPerson = "in-person" // face to face
	InAPI      = "api"       // the API
	InCRM      = "crm"       // a connected CRM
	InRegistry = "registry"  // a national registry file
	InBounce   = "bounce"    // a bounce or a complaint report
	InOperator = "operator"  // a user or an operator
)

// IntakeChannels lists every channel a request can come in by.
func IntakeChannels() []string {
	return []string{InEmail, InOneClick, InWeb, InPhone, InSMS, InLetter, InInPerson,
		InAPI, InCRM, InRegistry, InBounce, InOperator}
}

// ParseIntake reads the channel a request came in by; the error lists the
// accepted values.
func ParseIntake(s string) (string, error) {
	in := strings.ToLower(strings.TrimSpace(s))
	for _, x := range IntakeChannels() {
		if in == x {
			return x, nil
		}
	}
	return "", fmt.Errorf("%w: unknown intake channel %q: use one of %s", ErrInvalid, s, strings.Join(IntakeChannels(), ", "))
}
