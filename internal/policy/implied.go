package policy

import "time"

// ImpliedConsent says when the implied consent a jurisdiction grants from a purchase or an
// inquiry (CASL) runs out for the contact and channel of f: the later of purchase + the
// purchase window and inquiry + the inquiry window. ok is false when the jurisdiction knows no
// implied consent for the channel or neither date is set. rule is the id of the rule behind
// the later end (casl-01 for a purchase, casl-02 for an inquiry) and from the date it started.
// A purpose that is no marketing needs no consent, so it has none either.
func (p *Policy) ImpliedConsent(f *Facts) (from, end time.Time, rule string, ok bool) {
	if !f.Purpose.Marketing || !f.Channel.Valid() {
		return time.Time{}, time.Time{}, "", false
	}
	cr := &p.juris[p.lookup(f.Country, f.Region)].ch[f.Channel]
	try := func(at time.Time, months int, r Reason) {
		if at.IsZero() || months <= 0 {
			return
		}
		if e := at.AddDate(0, months, 0); e.After(end) {
			from, end, rule, ok = at, e, r.RuleID, true
		}
	}
	try(f.Customer.LastPurchaseAt, cr.impliedPurchaseMonths, p.r.casl01)
	try(f.Customer.LastInquiryAt, cr.impliedInquiryMonths, p.r.casl02)
	return from, end, rule, ok
}
