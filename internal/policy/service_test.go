package policy

import "testing"

func TestServicePurposes(t *testing.T) {
	customer := func(p Purpose, st ConsentState) Facts {
		f := base(SourceBrokerPurchase) // the source does not matter for service messages
		f.Purpose, f.Consent, f.Customer.Existing = p, ConsentFacts{State: st}, true
		return f
	}
	tests := []struct {
		name    string
		facts   Facts
		allowed bool
		basis   Basis
		rule    string
	}{
		{"customer, no marketing consent", customer(security, ConsentNone), true, BasisContract, "svc-01"},
		{"customer withdrew marketing-style consent elsewhere", customer(billing, ConsentExpired), true, BasisContract, "svc-01"},
		{"essential notice despite objection", customer(security, ConsentObjected), true, BasisContract, "svc-03"},
		{"non-essential service purpose withdrawn", customer(billing, ConsentWithdrawn), false, BasisNone, "svc-02"},
		{"no contract, no consent", func() Facts { f := customer(security, ConsentNone); f.Customer.Existing = false; return f }(), false, BasisNone, "svc-04"},
		{"no contract, consent", func() Facts { f := customer(billing, ConsentGranted); f.Customer.Existing = false; return f }(), true, BasisConsent, "con-02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Evaluate(&tt.facts)
			if v.Allowed != tt.allowed || v.Basis != tt.basis || v.Decisive().RuleID != tt.rule {
				t.Fatalf("got %v %q %s, want %v %q %s%s", v.Allowed, v.Basis, v.Decisive().RuleID, tt.allowed, tt.basis, tt.rule, dump(v))
			}
			if v.RequiresOptOut || v.RequiresNotice {
				t.Error("service messages carry no marketing opt-out or LI notice requirement")
			}
		})
	}
}
