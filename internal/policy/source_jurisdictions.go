package policy

import "time"

// SourceJurisdiction is what marketing e-mail to a business address from one source type,
// without any consent on record, comes to in one jurisdiction: the import summary's
// jurisdiction-aware answer (check gives each contact's own).
type SourceJurisdiction struct {
	ID   string `json:"id"`   // the jurisdiction's rule id, e.g. jur-us
	Name string `json:"name"` // e.g. United States
	// Outcome is "allowed" (the jurisdiction needs no consent, e.g. an opt-out regime),
	// "legitimate-interest" (allowed with an approved assessment and a reason per contact)
	// or "refused".
	Outcome string `json:"outcome"`
	Basis   string `json:"basis,omitempty"` // the basis when not refused, e.g. "opt-out regime"
}

// SourceJurisdictions evaluates, for every jurisdiction, a business e-mail address from
// source type t with no consent on record — first as it stands, then with a legitimate-
// interest assessment and reason — with the same Evaluate that check uses.
func (p *Policy) SourceJurisdictions(t SourceType, now time.Time) []SourceJurisdiction {
	if !t.Valid() {
		return nil
	}
	out := make([]SourceJurisdiction, 0, len(p.juris))
	for _, j := range p.juris {
		f := Facts{Purpose: Purpose{Name: "marketing", Marketing: true}, Channel: ChannelEmail,
			EmailDomain: "example.com", Address: AddressCorporate, Source: SourceFacts{Type: t}, Now: now}
		if len(j.codes) > 0 {
			code := j.codes[0]
			f.Country = code[:2]
			if len(code) > 3 && code[2] == '-' {
				f.Region = code[3:]
			}
		} else {
			f.Country = "ZZ"
		}
		sj := SourceJurisdiction{ID: j.id, Name: j.name, Outcome: "refused"}
		if v := p.Evaluate(&f); v.Allowed {
			sj.Outcome, sj.Basis = "allowed", v.Basis.String()
		} else {
			f.LI = LIFacts{AssessmentApproved: true, ContactReason: true}
			if v := p.Evaluate(&f); v.Allowed {
				sj.Outcome, sj.Basis = "legitimate-interest", v.Basis.String()
			}
		}
		out = append(out, sj)
	}
	return out
}
