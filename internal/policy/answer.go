package policy

// Eligibility is a verdict for one contact, purpose and channel flattened for JSON: the
// answer of `clearlist check` and of GET /api/v1/eligibility.
type Eligibility struct {
	ContactID             int64               `json:"contact_id" doc:"The contact's id."`
	Email                 string              `json:"email" doc:"The contact's canonical e-mail address."`
	Purpose               string              `json:"purpose"`
	Channel               string              `json:"channel"`
	Allowed               bool                `json:"allowed" doc:"Whether the contact may be contacted for the purpose on the channel."`
	Basis                 string              `json:"basis" doc:"The lawful basis relied on; none when refused."`
	Jurisdiction          string              `json:"jurisdiction" doc:"The rule id of the jurisdiction applied, e.g. jur-de."`
	Reasons               []EligibilityReason `json:"reasons" doc:"Every step of the explanation; each names its rule and cites the law."`
	Warnings              []Warning           `json:"warnings" doc:"Things to act on even though the verdict stands."`
	RequiresNotice        bool                `json:"requires_notice" doc:"Every message must carry the processing notice (legitimate interest)."`
	RequiresOptOut        bool                `json:"requires_opt_out" doc:"Every message must carry a working, free opt-out."`
	RequiresPostalAddress bool                `json:"requires_postal_address" doc:"Every message must carry the sender's postal address."`
	RulesVersion          string              `json:"rules_version" doc:"The version of the rule data."`
	Country               string              `json:"country" doc:"The country the jurisdiction was chosen by (ISO 3166-1 alpha-2); empty when unknown (the strictest rules apply)."`
	CountryFrom           string              `json:"country_from" enum:"contact,attribute,phone,none" doc:"Where the country came from: the contact's country field, a declared country attribute (older data), the phone number's country code, or nowhere."`
	ContactKind           string              `json:"contact_kind" enum:"corporate,personal,sole_trader" doc:"Whether the policy treated the contact as a corporate subscriber, a person or a sole trader."`
	ContactKindFrom       string              `json:"contact_kind_from" enum:"contact,guess" doc:"contact: the contact's contact_kind field; guess: guessed from the channel and the e-mail domain (a free-mail domain is personal)."`
	Notice                string              `json:"notice,omitempty" doc:"The processing notice to put in every message, when required."`
}

// EligibilityReason is one reason of an Eligibility, its outcome spelled out.
type EligibilityReason struct {
	RuleID   string `json:"rule_id"`
	Citation string `json:"citation"`
	Text     string `json:"text"`
	Outcome  string `json:"outcome" enum:"note,allowed,refused,warning"`
}

// Flatten copies the verdict's fields into e (reasons and warnings in fresh slices).
func (e *Eligibility) Flatten(v *Verdict) {
	e.Allowed, e.Basis, e.Jurisdiction = v.Allowed, v.Basis.String(), v.Jurisdiction
	e.RequiresNotice, e.RequiresOptOut, e.RequiresPostalAddress = v.RequiresNotice, v.RequiresOptOut, v.RequiresPostalAddress
	e.RulesVersion = v.RulesVersion
	e.Reasons = make([]EligibilityReason, len(v.Reasons))
	for i, r := range v.Reasons {
		e.Reasons[i] = EligibilityReason{RuleID: r.RuleID, Citation: r.Citation, Text: r.Text, Outcome: r.Outcome.String()}
	}
	e.Warnings = v.Warnings.List()
	if e.Warnings == nil {
		e.Warnings = []Warning{}
	}
}
