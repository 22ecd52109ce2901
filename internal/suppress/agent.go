package suppress

import (
	"fmt"
	"strings"
	"time"
)

// AgentHow is a way a person asks an agent not to be contacted, with the reason and intake
// channel an entry records for it.
type AgentHow struct{ Key, Reason, In string }

// AgentHows are the ways an agent (a call centre, a front desk) takes a stop request.
var AgentHows = []AgentHow{
	{"phone", string(ReasonRequestPhone), InPhone},
	{"email", string(ReasonRequestEmail), InEmail},
	{"sms", string(ReasonUnsubscribe), InSMS},
	{"letter", string(ReasonRequestLetter), InLetter},
	{"in-person", string(ReasonRequestInPerson), InInPerson},
}

// AgentRequest is a person's stop request taken by an agent: the identifier (an e-mail
// address or a phone number), how they asked (an AgentHows key; "" is a call), the channels it
// covers ("" is the identifier's own channel: calls for a number, e-mail for an address), and
// who took it.
type AgentRequest struct {
	Kind, Value, How, Scope, By, Note, Country string
	ReceivedAt                                 time.Time
}

// Intake is the request as the service records it (Suppress).
func (r AgentRequest) Intake() (Intake, error) {
	how := r.How
	if how == "" {
		how = "phone"
	}
	in := Intake{Kind: r.Kind, Value: strings.TrimSpace(r.Value), Scope: r.Scope, By: r.By, Note: r.Note,
		ReceivedAt: r.ReceivedAt, Country: r.Country}
	for _, h := range AgentHows {
		if h.Key == how {
			in.Reason, in.ChannelIn = h.Reason, h.In
		}
	}
	if in.Reason == "" {
		return Intake{}, fmt.Errorf("%w: unknown way of asking %q: use phone, email, sms, letter or in-person", ErrInvalid, r.How)
	}
	if in.Value == "" {
		return Intake{}, fmt.Errorf("%w: give the person's e-mail address or phone number", ErrInvalid)
	}
	if in.Scope == "" {
		k, err := kindOf(r.Kind, in.Value)
		if err != nil {
			return Intake{}, err
		}
		in.Kind, in.Scope = string(k), ChannelEmail
		if k == KindPhone {
			in.Scope = ChannelPhone
		}
	}
	return in, nil
}
