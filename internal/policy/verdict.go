package policy

import "encoding/json"

// Verdict is the answer for one contact, purpose and channel.
type Verdict struct {
	Allowed bool  `json:"allowed"`
	Basis   Basis `json:"basis"`
	// Jurisdiction is the rule id of the jurisdiction row applied, e.g. "jur-de".
	Jurisdiction string `json:"jurisdiction"`
	// Reasons explain the verdict, deciding reason last; each names its rule and citation.
	Reasons  []Reason `json:"reasons"`
	Warnings Warnings `json:"warnings"`
	// RequiresNotice: every message must say how the data is processed, why, and how to
	// object (legitimate interest).
	RequiresNotice bool `json:"requires_notice"`
	// RequiresOptOut: every message must carry a working, free opt-out.
	RequiresOptOut bool `json:"requires_opt_out"`
	// RequiresPostalAddress: every message must carry the sender's postal address.
	RequiresPostalAddress bool `json:"requires_postal_address"`
	// RulesVersion is the version of the rule data that produced the verdict.
	RulesVersion string `json:"rules_version"`
}

// Reason is one step of the explanation.
type Reason struct {
	RuleID   string  `json:"rule_id"`
	Citation string  `json:"citation"`
	Text     string  `json:"text"`
	Outcome  Outcome `json:"outcome"`
}

// Outcome is what a reason contributes to the verdict.
type Outcome uint8

// The outcomes.
const (
	OutcomeNote Outcome = iota
	OutcomeAllowed
	OutcomeRefused
	OutcomeWarning
)

var outcomeNames = [...]string{"note", "allowed", "refused", "warning"}

// String returns "note", "allowed", "refused" or "warning".
func (o Outcome) String() string { return outcomeNames[o] }

// MarshalText encodes the outcome name.
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

func parseOutcome(s string) (Outcome, bool) {
	for i, n := range outcomeNames {
		if n == s {
			return Outcome(i), true
		}
	}
	return 0, false
}

// Basis is the lawful basis a verdict relies on.
type Basis uint8

// The bases.
const (
	BasisNone Basis = iota
	BasisConsent
	BasisDoubleOptInConsent
	BasisSoftOptIn
	BasisLegitimateInterest
	BasisContract
	BasisOptOutRegime
	BasisImpliedConsent
)

var basisNames = [...]string{"none", "consent", "double-opt-in consent", "soft opt-in", "legitimate interest", "contract", "opt-out regime", "implied consent"}

// String returns the basis as shown to people, e.g. "double-opt-in consent".
func (b Basis) String() string { return basisNames[b] }

// MarshalText encodes the basis name.
func (b Basis) MarshalText() ([]byte, error) { return []byte(b.String()), nil }

// Warning is something to act on even though the verdict stands.
type Warning struct {
	Code   string `json:"code"`
	RuleID string `json:"rule_id"`
	Text   string `json:"text"`
}

// Warnings is a set of warnings kept as bits so that evaluation does not allocate.
type Warnings uint16

// The warnings.
const (
	WarnStaleConsent      Warnings = 1 << iota // signed up long ago, never mailed
	WarnMailSoon                               // source asks for a prompt welcome (cases 3, 9)
	WarnSingleOptIn                            // weaker proof than double opt-in
	WarnImpliedConsentCA                       // CASL implied consent lapses
	WarnDoNotCallRegistry                      // US calls: national DNC scrub and hours
	numWarnings           = iota
)

var warningInfo = [numWarnings]struct{ code, rule string }{
	{"stale-consent", "con-09"},
	{"mail-soon", "con-10"},
	{"single-opt-in", "con-11"},
	{"casl-implied-consent", "casl-03"},
	{"do-not-call-registry", "tcpa-01"},
}

func warningByCode(code string) (Warnings, bool) {
	for i, w := range warningInfo {
		if w.code == code {
			return 1 << i, true
		}
	}
	return 0, false
}

// Has reports whether w contains every warning in x.
func (w Warnings) Has(x Warnings) bool { return w&x == x }

// List expands the set, with rule ids and texts from the default rules.
func (w Warnings) List() []Warning {
	var out []Warning
	for i := range numWarnings {
		if w&(1<<i) == 0 {
			continue
		}
		r := defaultPolicy.rules[warningInfo[i].rule]
		out = append(out, Warning{Code: warningInfo[i].code, RuleID: r.RuleID, Text: r.Text})
	}
	return out
}

// MarshalJSON encodes the set as a list of warnings.
func (w Warnings) MarshalJSON() ([]byte, error) {
	l := w.List()
	if l == nil {
		l = []Warning{}
	}
	return json.Marshal(l)
}
