package policy

import (
	"testing"
	"time"
)

// TestPrecheckedIsNoConsent: a granted or confirmed state resting on a pre-ticked box is
// refused with con-12, for marketing (from a source that would allow it) and for a service
// purpose without a contract; a customer still gets service messages.
func TestPrecheckedIsNoConsent(t *testing.T) {
	now := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	base := func(st ConsentState) Facts {
		return Facts{Purpose: Purpose{Name: "newsletter", Marketing: true}, Channel: ChannelEmail, Country: "DE",
			EmailDomain: "gmail.com", Source: SourceFacts{Type: SourceSignupCards}, Now: now,
			Consent: ConsentFacts{State: st, GrantedAt: now.AddDate(0, 0, -1), ConfirmedAt: now.AddDate(0, 0, -1), Prechecked: true}}
	}
	last := func(v Verdict) string { return v.Reasons[len(v.Reasons)-1].RuleID }
	for _, st := range []ConsentState{ConsentGranted, ConsentConfirmed} {
		f := base(st)
		if v := Default().Evaluate(&f); v.Allowed || last(v) != "con-12" {
			t.Errorf("%s, pre-ticked: %+v", st, v)
		}
		f.Consent.Prechecked = false
		if v := Default().Evaluate(&f); !v.Allowed {
			t.Errorf("%s, ticked by the person: %+v", st, v)
		}
	}
	f := base(ConsentGranted)
	f.Purpose = Purpose{Name: "invoices"}
	v := Default().Evaluate(&f)
	if v.Allowed || v.Reasons[0].RuleID != "con-12" || last(v) != "svc-04" {
		t.Errorf("service purpose, pre-ticked, no contract: %+v", v)
	}
	f.Customer.Existing = true
	if v := Default().Evaluate(&f); !v.Allowed || last(v) != "svc-01" {
		t.Errorf("service purpose, customer: %+v", v)
	}
}
