package suppress

import "time"

// Intake is one do-not-contact request as a person, a user or a system makes it, before it
// is validated and turned into an Entry (Service.PrepareSuppression).
type Intake struct {
	Kind       string    `json:"kind,omitempty" doc:"email, domain or phone; empty guesses from value"`
	Value      string    `json:"value" doc:"The identifier as given: an address, a domain or a phone number."`
	Scope      string    `json:"scope,omitempty" doc:"all (default), a channel (email, phone, sms), purpose:NAME or CHANNEL:NAME"`
	Reason     string    `json:"reason" doc:"unsubscribe, complaint, hard-bounce, request-phone, request-email, request-web, request-letter, request-in-person, erasure, national-registry, crm or manual"`
	ChannelIn  string    `json:"channel_in,omitempty" doc:"How the request came in; empty derives it from the reason."`
	By         string    `json:"recorded_by,omitempty" doc:"Who records it; the API fills in the token's name when empty."`
	Note       string    `json:"note,omitempty"`
	ReceivedAt time.Time `json:"received_at,omitzero" doc:"When the person asked; the deadline runs from it. Default now."`
	// Country is the person's jurisdiction for the deadline (ISO 3166, "US-CA" too); ""
	// takes a phone number's country, else the strictest rule applies.
	Country string `json:"country,omitempty" doc:"The person's country (ISO 3166) for the deadline; default a phone number's, else the strictest rule."`
}

// CheckAnswer is the answer to "may I contact this identifier on this channel for this
// purpose?".
type CheckAnswer struct {
	Identifier  string `json:"identifier" doc:"The identifier in canonical form."`
	Kind        string `json:"kind"`
	Channel     string `json:"channel,omitempty"`
	Purpose     string `json:"purpose,omitempty"`
	Contactable bool   `json:"contactable" doc:"false: do not contact."`
	// What blocked it: the kind of the matching entry (an address can be blocked by its
	// domain), its scope, and whether it is an instance-wide entry.
	MatchedKind string `json:"matched_kind,omitempty"`
	Scope       string `json:"scope,omitempty"`
	Instance    bool   `json:"instance,omitempty"`
}
