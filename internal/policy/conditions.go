package policy

import "time"

// sourceStatus is what a source makes of a granted or confirmed ledger consent.
type sourceStatus uint8

const (
	consentRefused sourceStatus = iota // the source cannot give this workspace consent
	consentOK                          // the consent is valid for this workspace
	consentPending                     // a double opt-in is still awaited
	consentLapsed                      // the double opt-in window passed unconfirmed
)

// sourceConsent checks a granted or confirmed consent against its source's condition.
func (p *Policy) sourceConsent(src *sourceRule, f *Facts) sourceStatus {
	doi := f.Consent.State == ConsentConfirmed || f.Source.DoubleOptIn
	switch src.cond {
	case condNone:
		return consentOK
	case condDoubleOptIn:
		if doi {
			return consentOK
		}
		return p.unconfirmed(f)
	case condDoubleOptInOrWritten:
		if doi || f.Source.WrittenPermission {
			return consentOK
		}
		return p.unconfirmed(f)
	case condSeparateBoxDoubleOptIn:
		if !f.Source.SeparateBox {
			return consentRefused
		}
		if doi {
			return consentOK
		}
		return p.unconfirmed(f)
	case condOnBehalfOf:
		return okIf(f.Source.OnBehalfOf)
	case condWrittenPermission:
		return okIf(f.Source.WrittenPermission)
	case condCollectionEvidence:
		return okIf(f.Source.CollectionEvidence)
	case condVerifiablePermission:
		return okIf(f.Source.WrittenPermission || doi)
	}
	return consentRefused // condNever, condSoftOptIn
}

func okIf(b bool) sourceStatus {
	if b {
		return consentOK
	}
	return consentRefused
}

// unconfirmed tells a pending sign-up from one whose double opt-in window has passed. A
// sign-up without a time cannot show it is still within the window, so it has lapsed.
func (p *Policy) unconfirmed(f *Facts) sourceStatus {
	g := f.Consent.GrantedAt
	if g.IsZero() || f.Now.Sub(g) > p.doiWindow {
		return consentLapsed
	}
	return consentPending
}

// acceptable reports whether bases without prior consent may be considered for contacts
// from this source: the workspace collected them itself, or a third party did so on its
// behalf or with documented collection.
func (s *sourceRule) acceptable(f *Facts) bool {
	switch {
	case s.own:
		return true
	case s.cond == condOnBehalfOf:
		return f.Source.OnBehalfOf
	case s.cond == condCollectionEvidence:
		return f.Source.CollectionEvidence
	}
	return false
}

// AddressKindOf is the kind the policy judges the facts' address to be, and whether it is
// the explicit kind given (Facts.Address) rather than a guess from the channel and the
// e-mail domain (the free-mail list).
func (p *Policy) AddressKindOf(f *Facts) (k AddressKind, explicit bool) {
	return p.addressKind(f), f.Address != AddressUnknown
}

// addressKind decides corporate versus personal. Unknown addresses are personal (strict):
// a non-e-mail channel without an explicit kind, an empty domain, a free-mail domain.
func (p *Policy) addressKind(f *Facts) AddressKind {
	if f.Address != AddressUnknown {
		return f.Address
	}
	if f.Channel != ChannelEmail || f.EmailDomain == "" {
		return AddressPersonal
	}
	if p.classify != nil {
		if k := p.classify(f.EmailDomain); k != AddressUnknown {
			return k
		}
	}
	if p.freemail.contains(f.EmailDomain) {
		return AddressPersonal
	}
	return AddressCorporate
}

// within reports whether t lies in the given number of months before f.Now.
func within(f *Facts, t time.Time, months int) bool {
	if t.IsZero() || t.After(f.Now) {
		return false
	}
	return !f.Now.After(t.AddDate(0, months, 0))
}
