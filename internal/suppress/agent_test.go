package suppress

import (
	"errors"
	"testing"
)

// TestAgentRequestIntake: how the person asked gives the reason and intake channel; the scope
// defaults to the identifier's own channel; an unknown way or no identifier is refused.
func TestAgentRequestIntake(t *testing.T) {
	for _, c := range []struct {
		req                     AgentRequest
		reason, in, scope, kind string
		invalid                 bool
	}{
		{req: AgentRequest{Value: "+49 30 1234567"}, reason: "request-phone", in: InPhone, scope: "phone", kind: "phone"},
		{req: AgentRequest{Value: "ann@example.com", How: "email"}, reason: "request-email", in: InEmail, scope: "email", kind: "email"},
		{req: AgentRequest{Value: "ann@example.com", How: "letter", Scope: "all"}, reason: "request-letter", in: InLetter, scope: "all"},
		{req: AgentRequest{Value: "+49 30 1234567", How: "sms", Scope: "sms"}, reason: "unsubscribe", in: InSMS, scope: "sms"},
		{req: AgentRequest{Value: "ann@example.com", How: "in-person"}, reason: "request-in-person", in: InInPerson, scope: "email", kind: "email"},
		{req: AgentRequest{Value: "ann@example.com", How: "telepathy"}, invalid: true},
		{req: AgentRequest{Value: "  ", How: "phone"}, invalid: true},
	} {
		got, err := c.req.Intake()
		if c.invalid {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("%+v: %+v, %v; want ErrInvalid", c.req, got, err)
			}
			continue
		}
		if err != nil || got.Reason != c.reason || got.ChannelIn != c.in || got.Scope != c.scope || got.Kind != c.kind {
			t.Errorf("%+v: %+v, %v", c.req, got, err)
		}
	}
}
