package policy

// SourceInfo describes a source-type rule for documentation, import summaries and the API.
type SourceInfo struct {
	Slug        string `json:"slug"`
	RuleID      string `json:"rule_id"`
	Case        string `json:"case,omitempty"` // SPEC §3 case number, empty for clearlist's own channels
	Label       string `json:"label"`
	Description string `json:"description"`
	// Default is the verdict for marketing: "allow", "refuse" or "conditional".
	Default  string `json:"default"`
	Citation string `json:"citation"`
}

// Sources lists the source-type rules of p in table order.
func (p *Policy) Sources() []SourceInfo {
	out := make([]SourceInfo, 0, numSourceTypes-1)
	for t := 1; t < numSourceTypes; t++ {
		s := &p.sources[t]
		desc := s.refused.Text
		if s.cond == condNone {
			desc = s.allowed.Text
		}
		out = append(out, SourceInfo{Slug: s.slug, RuleID: s.ruleID, Case: s.caseNo, Label: s.label,
			Description: desc, Default: s.def, Citation: s.citation})
	}
	return out
}

// Source returns the rule of one source type.
func (p *Policy) Source(t SourceType) (SourceInfo, bool) {
	if !t.Valid() {
		return SourceInfo{}, false
	}
	return p.Sources()[t-1], true
}

// Rule returns the general rule with this id (e.g. "casl-04"), for an answer that adds
// what a verdict cannot say without allocating, such as a date.
func (p *Policy) Rule(id string) (Reason, bool) {
	r, ok := p.rules[id]
	return r, ok
}

// Rules lists every compiled reason (each rule with each of its outcomes) in data order.
func (p *Policy) Rules() []Reason { return append([]Reason(nil), p.all...) }
