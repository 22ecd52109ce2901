package policy

// service judges a service/transactional purpose: the contract is the basis, marketing
// consent is irrelevant, and an objection to the purpose itself is honoured unless the
// purpose is essential.
func (p *Policy) service(f *Facts, v *Verdict) {
	switch f.Consent.State {
	case ConsentWithdrawn, ConsentObjected:
		if !f.Purpose.Essential {
			v.refuse(p.r.svc02)
			return
		}
		v.Allowed, v.Basis = true, BasisContract
		v.add(p.r.svc03)
		return
	}
	switch {
	case f.Customer.Existing:
		v.Allowed, v.Basis = true, BasisContract
		v.add(p.r.svc01)
	case f.Consent.Prechecked && (f.Consent.State == ConsentGranted || f.Consent.State == ConsentConfirmed):
		v.add(p.r.con12) // a pre-ticked box is no consent, for a service purpose too
		v.refuse(p.r.svc04)
	case f.Consent.State == ConsentConfirmed:
		v.Allowed, v.Basis = true, BasisDoubleOptInConsent
		v.add(p.r.con03)
	case f.Consent.State == ConsentGranted:
		v.Allowed, v.Basis = true, BasisConsent
		v.add(p.r.con02)
	default:
		v.refuse(p.r.svc04)
	}
}
