package policy

// maxReasons is the most reasons one verdict carries (source, ledger or basis, soft opt-in or
// LI explanation, jurisdiction, note), so one allocation holds them.
const maxReasons = 5

// Evaluate judges facts with the default policy.
func Evaluate(f *Facts) Verdict { return defaultPolicy.Evaluate(f) }

// Evaluate judges facts; the returned verdict owns a fresh Reasons slice.
func (p *Policy) Evaluate(f *Facts) Verdict {
	v := Verdict{Reasons: make([]Reason, 0, maxReasons)}
	p.EvaluateInto(f, &v)
	return v
}

// EvaluateInto judges facts into v, reusing the storage of v.Reasons: a batch caller that
// keeps one Verdict per worker evaluates without allocating.
func (p *Policy) EvaluateInto(f *Facts, v *Verdict) {
	reasons := v.Reasons[:0]
	if cap(reasons) < maxReasons {
		reasons = make([]Reason, 0, maxReasons)
	}
	*v = Verdict{Reasons: reasons, RulesVersion: p.version}
	j := &p.juris[p.lookup(f.Country, f.Region)]
	v.Jurisdiction = j.id
	switch {
	case f.Status == StatusBlocked:
		v.refuse(p.r.sts03)
	case f.Suppressed && !(f.Purpose.Essential && !f.Purpose.Marketing):
		v.refuse(p.r.dnc01)
	case f.Channel == ChannelEmail && f.EmailVerdict == VerdictUndeliverable:
		v.refuse(p.r.vfy01)
	case f.Channel == ChannelEmail && f.EmailVerdict == VerdictRisky && f.ExcludeRisky:
		v.refuse(p.r.vfy02)
	case f.Status == StatusBounced && f.Channel == ChannelEmail:
		v.refuse(p.r.sts02)
	case f.Status == StatusUnsubscribed && f.Purpose.Marketing:
		v.refuse(p.r.sts01)
	case !f.Purpose.Marketing:
		p.service(f, v)
	case !f.Channel.Valid():
		v.refuse(p.r.chn00)
	default:
		p.marketing(f, &j.ch[f.Channel], v)
	}
}

// Decisive returns the reason that decided the verdict: the first allowed reason of an
// allowed verdict, the first refused reason of a refused one.
func (v *Verdict) Decisive() Reason {
	want := OutcomeRefused
	if v.Allowed {
		want = OutcomeAllowed
	}
	for _, r := range v.Reasons {
		if r.Outcome == want {
			return r
		}
	}
	return Reason{}
}

func (v *Verdict) add(r Reason) { v.Reasons = append(v.Reasons, r) }

func (v *Verdict) refuse(r Reason) {
	v.Allowed, v.Basis = false, BasisNone
	v.add(r)
}

// marketing judges a marketing purpose. Order: ledger refusals, consent from an acceptable
// source, then the bases without prior consent the jurisdiction knows (soft opt-in, CASL
// implied consent, B2B legitimate interest, opt-out regime), else refusal.
func (p *Policy) marketing(f *Facts, cr *channelRule, v *Verdict) {
	switch f.Consent.State {
	case ConsentWithdrawn:
		v.refuse(p.r.con04)
		return
	case ConsentExpired:
		v.refuse(p.r.con05)
		return
	case ConsentObjected:
		v.refuse(p.r.con06)
		return
	case ConsentGranted, ConsentConfirmed:
		if f.Consent.Prechecked {
			v.refuse(p.r.con12)
			return
		}
	}
	if !f.Source.Type.Valid() {
		v.refuse(p.r.src00)
		return
	}
	src := &p.sources[f.Source.Type]
	st := f.Consent.State
	if st == ConsentGranted || st == ConsentConfirmed {
		switch p.sourceConsent(src, f) {
		case consentOK:
			p.allowConsent(f, src, cr, v)
			return
		case consentPending:
			v.refuse(p.r.con07)
			return
		case consentLapsed:
			v.refuse(p.r.con08)
			return
		}
	}
	if !src.acceptable(f) {
		v.refuse(src.refused)
		return
	}
	n := len(v.Reasons)
	if p.withoutConsent(f, src, cr, v) {
		// Keep only the reason of the basis that applied, not the alternatives that failed.
		if v.Basis == BasisOptOutRegime {
			v.Reasons = v.Reasons[:n]
		} else {
			v.Reasons = append(v.Reasons[:n], v.Reasons[len(v.Reasons)-1])
		}
		v.Allowed, v.RequiresOptOut, v.RequiresPostalAddress = true, true, cr.postal
		v.add(cr.allowed)
		if cr.hasNote {
			v.add(cr.note)
		}
		return
	}
	// Put why the source gives no consent first, then why no other basis applies.
	switch src.cond {
	case condNone:
		v.add(p.r.con01)
	case condSoftOptIn:
		// withoutConsent explained the soft opt-in already.
	default:
		v.add(src.refused)
	}
	if last := len(v.Reasons) - 1; last > n {
		r := v.Reasons[last]
		copy(v.Reasons[n+1:], v.Reasons[n:last])
		v.Reasons[n] = r
	}
	v.refuse(cr.refused)
}

// allowConsent records an allowed verdict on ledger consent.
func (p *Policy) allowConsent(f *Facts, src *sourceRule, cr *channelRule, v *Verdict) {
	v.Allowed, v.Basis = true, BasisConsent
	v.RequiresOptOut, v.RequiresPostalAddress = true, cr.postal
	v.add(src.allowed)
	if f.Consent.State == ConsentConfirmed || f.Source.DoubleOptIn {
		v.Basis = BasisDoubleOptInConsent
		v.add(p.r.con03)
	} else {
		v.add(p.r.con02)
	}
	v.add(cr.allowed)
	if cr.hasNote {
		v.add(cr.note)
	}
	if f.Consent.LastMailedAt.IsZero() {
		v.Warnings |= src.warnings & WarnMailSoon
		at := f.Consent.ConfirmedAt
		if at.IsZero() {
			at = f.Consent.GrantedAt
		}
		if !at.IsZero() && f.Now.Sub(at) > p.staleAfter {
			v.Warnings |= WarnStaleConsent
		}
	}
	if f.Consent.State != ConsentConfirmed && !f.Source.DoubleOptIn {
		v.Warnings |= src.warnings & WarnSingleOptIn
	}
}

// withoutConsent tries the bases that need no prior consent, adding the reason of the one
// that applies or the reasons why none does. The source is acceptable.
func (p *Policy) withoutConsent(f *Facts, src *sourceRule, cr *channelRule, v *Verdict) bool {
	soft := src.cond == condSoftOptIn || (f.Customer.Existing && f.Customer.SoftOptInNotice)
	if soft && cr.softOptIn && f.Channel != ChannelPhone {
		if f.Purpose.OwnSimilarProducts {
			v.Basis = BasisSoftOptIn
			if src.cond == condSoftOptIn {
				v.add(src.allowed)
			} else {
				v.add(p.r.soi01)
			}
			return true
		}
		v.add(p.r.soi02)
	} else if src.cond == condSoftOptIn {
		v.add(src.refused)
	}
	if cr.impliedPurchaseMonths > 0 && within(f, f.Customer.LastPurchaseAt, cr.impliedPurchaseMonths) {
		v.Basis, v.Warnings = BasisImpliedConsent, v.Warnings|WarnImpliedConsentCA
		v.add(p.r.casl01)
		return true
	}
	if cr.impliedInquiryMonths > 0 && within(f, f.Customer.LastInquiryAt, cr.impliedInquiryMonths) {
		v.Basis, v.Warnings = BasisImpliedConsent, v.Warnings|WarnImpliedConsentCA
		v.add(p.r.casl02)
		return true
	}
	if cr.b2bLI {
		switch {
		case p.addressKind(f) != AddressCorporate:
			v.add(p.r.li04)
		case !f.LI.AssessmentApproved:
			v.add(p.r.li02)
		case !f.LI.ContactReason:
			v.add(p.r.li03)
		default:
			v.Basis, v.RequiresNotice = BasisLegitimateInterest, true
			v.add(p.r.li01)
			return true
		}
	}
	if cr.regime == regimeOptOut {
		v.Basis = BasisOptOutRegime
		if cr.dnc {
			v.Warnings |= WarnDoNotCallRegistry
		}
		return true
	}
	return false
}
