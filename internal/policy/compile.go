package policy

import (
	"fmt"
	"strings"
)

// addRule registers a compiled reason; owner names the row, so that one row may define
// several outcomes of its rule but two rows may not share a rule id.
func (p *Policy) addRule(owner string, r Reason) error {
	if r.RuleID == "" || r.Citation == "" || r.Text == "" {
		return fmt.Errorf("policy rules: %s: rule %q needs an id, a citation and a text", owner, r.RuleID)
	}
	if prev, dup := p.owners[r.RuleID]; dup && prev != owner {
		return fmt.Errorf("policy rules: rule id %q is used by %s and %s", r.RuleID, prev, owner)
	}
	p.owners[r.RuleID] = owner
	key := r.RuleID + "/" + r.Outcome.String()
	if prev, seen := p.byOutcome[key]; seen && prev != r {
		return fmt.Errorf("policy rules: rule %q has two different %s texts", r.RuleID, r.Outcome)
	} else if !seen {
		p.byOutcome[key] = r
		p.all = append(p.all, r)
	}
	if _, seen := p.rules[r.RuleID]; !seen || r.Outcome == OutcomeRefused {
		p.rules[r.RuleID] = r
	}
	return nil
}

func (p *Policy) compileGeneral(rows []generalRow) error {
	for _, g := range rows {
		o, ok := parseOutcome(g.Outcome)
		if !ok {
			return fmt.Errorf("policy rules: rule %q: outcome %q: use note, allowed, refused or warning", g.ID, g.Outcome)
		}
		if _, dup := p.rules[g.ID]; dup {
			return fmt.Errorf("policy rules: rule id %q is used twice", g.ID)
		}
		if err := p.addRule("rule "+g.ID, reason(g.ID, g.Citation, o, g.Text)); err != nil {
			return err
		}
	}
	var missing []string
	get := func(id string) Reason {
		r, ok := p.rules[id]
		if !ok {
			missing = append(missing, id)
		}
		return r
	}
	p.r = fixedReasons{
		sts01: get("sts-01"), sts02: get("sts-02"), sts03: get("sts-03"), dnc01: get("dnc-01"), vfy01: get("vfy-01"), vfy02: get("vfy-02"),
		src00: get("src-00"), chn00: get("chn-00"), con01: get("con-01"), con02: get("con-02"), con03: get("con-03"),
		con04: get("con-04"), con05: get("con-05"), con06: get("con-06"), con07: get("con-07"),
		con08: get("con-08"), con12: get("con-12"), soi01: get("soi-01"), soi02: get("soi-02"), li01: get("li-01"),
		li02: get("li-02"), li03: get("li-03"), li04: get("li-04"), casl01: get("casl-01"),
		casl02: get("casl-02"), svc01: get("svc-01"), svc02: get("svc-02"), svc03: get("svc-03"),
		svc04: get("svc-04"),
	}
	for _, w := range warningInfo {
		get(w.rule)
	}
	if missing != nil {
		return fmt.Errorf("policy rules: general rules missing: %v", missing)
	}
	return nil
}

func (p *Policy) compileSources(rows []sourceRow) error {
	for _, s := range rows {
		t, err := ParseSourceType(s.Slug)
		if err != nil {
			return fmt.Errorf("policy rules: source row: %w", err)
		}
		if p.sources[t].slug != "" {
			return fmt.Errorf("policy rules: source %q has two rows", s.Slug)
		}
		cond, ok := conditionNames[s.Condition]
		if !ok {
			return fmt.Errorf("policy rules: source %q: unknown condition %q", s.Slug, s.Condition)
		}
		want := map[condition]string{condNone: "allow", condNever: "refuse"}[cond]
		if want == "" {
			want = "conditional"
		}
		if s.Default != want {
			return fmt.Errorf("policy rules: source %q: default %q does not match condition %q (want %q)", s.Slug, s.Default, s.Condition, want)
		}
		sr := sourceRule{slug: s.Slug, label: s.Label, ruleID: s.Rule, caseNo: s.Case, citation: s.Citation,
			def: s.Default, cond: cond, own: s.Own}
		for _, code := range s.Warnings {
			w, ok := warningByCode(code)
			if !ok {
				return fmt.Errorf("policy rules: source %q: unknown warning %q", s.Slug, code)
			}
			sr.warnings |= w
		}
		prefix := " source '" + s.Label + "' — "
		if cond != condNever {
			if s.Allowed == "" {
				return fmt.Errorf("policy rules: source %q needs an allowed text", s.Slug)
			}
			sr.allowed = reason(s.Rule, s.Citation, OutcomeAllowed, "allowed:"+prefix+s.Allowed)
			if err := p.addRule("source "+s.Slug, sr.allowed); err != nil {
				return err
			}
		}
		if cond != condNone {
			if s.Refused == "" {
				return fmt.Errorf("policy rules: source %q needs a refused text", s.Slug)
			}
			sr.refused = reason(s.Rule, s.Citation, OutcomeRefused, "refused:"+prefix+s.Refused)
			if err := p.addRule("source "+s.Slug, sr.refused); err != nil {
				return err
			}
		}
		p.sources[t] = sr
	}
	for t := 1; t < numSourceTypes; t++ {
		if p.sources[t].slug == "" {
			return fmt.Errorf("policy rules: source %q has no row", sourceSlugs[t])
		}
	}
	return nil
}

func (p *Policy) compileJurisdictions(rows []jurisdRow, phoneDefault channelRow) error {
	if len(rows) == 0 || len(rows) > 250 {
		return fmt.Errorf("policy rules: %d jurisdictions: need 1 to 250", len(rows))
	}
	unknown := -1
	for i, row := range rows {
		j := jurisdiction{id: row.ID, name: row.Name, codes: row.Codes}
		if row.Email == nil {
			return fmt.Errorf("policy rules: jurisdiction %q needs an email rule", row.ID)
		}
		sms, phone := row.SMS, row.Phone
		if sms == nil {
			sms = row.Email // SMS is "electronic mail" under ePrivacy, PECR and CASL
		}
		if phone == nil {
			phone = &phoneDefault
		}
		for c, cr := range map[Channel]*channelRow{ChannelEmail: row.Email, ChannelSMS: sms, ChannelPhone: phone} {
			compiled, err := p.compileChannel(row.ID, cr)
			if err != nil {
				return fmt.Errorf("policy rules: jurisdiction %q %s: %w", row.ID, c, err)
			}
			j.ch[c] = compiled
		}
		if len(row.Codes) == 0 {
			if unknown >= 0 {
				return fmt.Errorf("policy rules: jurisdictions %q and %q both have no codes; only the default may", rows[unknown].ID, row.ID)
			}
			unknown = i
		}
		for _, code := range row.Codes {
			if err := p.addCode(code, i); err != nil {
				return fmt.Errorf("policy rules: jurisdiction %q: %w", row.ID, err)
			}
		}
		p.juris = append(p.juris, j)
	}
	if unknown < 0 {
		return fmt.Errorf("policy rules: a default jurisdiction (no codes) for unknown countries is missing")
	}
	p.unknown = uint8(unknown)
	return nil
}

func (p *Policy) addCode(code string, i int) error {
	country, region, hasRegion := strings.Cut(code, "-")
	ci := countryIndex(country)
	if ci < 0 || country != strings.ToUpper(country) {
		return fmt.Errorf("code %q: use ISO 3166-1 alpha-2 (DE) or ISO 3166-2 (US-CA)", code)
	}
	if hasRegion {
		if region == "" {
			return fmt.Errorf("code %q: region is empty", code)
		}
		p.regions = append(p.regions, regionRow{country: ci, region: region, juris: uint8(i)})
		return nil
	}
	if p.countries[ci] != 0 {
		return fmt.Errorf("country %s is listed twice", code)
	}
	p.countries[ci] = uint8(i + 1)
	return nil
}

func (p *Policy) compileChannel(jid string, cr *channelRow) (channelRule, error) {
	c := channelRule{ruleID: cr.Rule, softOptIn: cr.SoftOptIn, b2bLI: cr.B2BLI, postal: cr.PostalAddress,
		dnc: cr.DNC, impliedPurchaseMonths: cr.ImpliedPurchaseMonths, impliedInquiryMonths: cr.ImpliedInquiryMonths}
	switch cr.Regime {
	case "consent":
		c.regime = regimeConsent
	case "opt-out":
		c.regime = regimeOptOut
	default:
		return c, fmt.Errorf("regime %q: use consent or opt-out", cr.Regime)
	}
	if cr.Allowed == "" || cr.Refused == "" {
		return c, fmt.Errorf("rule %q needs allowed and refused texts", cr.Rule)
	}
	owner := "channel rule " + cr.Rule
	c.allowed = reason(cr.Rule, cr.Citation, OutcomeAllowed, "allowed: "+cr.Allowed)
	c.refused = reason(cr.Rule, cr.Citation, OutcomeRefused, "refused: "+cr.Refused)
	if err := p.addRule(owner, c.allowed); err != nil {
		return c, err
	}
	if err := p.addRule(owner, c.refused); err != nil {
		return c, err
	}
	if cr.Note != "" {
		n, ok := p.rules[cr.Note]
		if !ok {
			return c, fmt.Errorf("note %q is not a defined rule", cr.Note)
		}
		c.hasNote, c.note = true, n
	}
	return c, nil
}
