package policy

import (
	"errors"
	"fmt"
	"time"
)

// Facts is everything Evaluate needs about one contact, purpose and channel. The caller
// fills it from the contact, its source and the consent ledger; Evaluate does no I/O.
type Facts struct {
	Purpose Purpose
	Channel Channel
	// Country is the contact's ISO 3166-1 alpha-2 code in any case ("de", "GB"); empty or
	// unlisted countries get the strictest rule.
	Country string
	// Region is the ISO 3166-2 subdivision, "CA" or "US-CA"; it matters for US-CA only.
	Region string
	// EmailDomain is the domain of the address; a free-mail domain is a personal address.
	EmailDomain string
	// Address overrides the domain-based guess: the contact's contact_kind when it is set
	// (a corporate subscriber on a free-mail address, a sole trader, a person at a company).
	Address  AddressKind
	Source   SourceFacts
	Consent  ConsentFacts
	Customer CustomerFacts
	LI       LIFacts
	// Status is the contact's lifecycle status: an unsubscribed contact gets no marketing, a
	// bounced address no e-mail, a blocked contact nothing.
	Status ContactStatus
	// Suppressed is true when one of the contact's identifiers is on the do-not-contact list
	// for this channel and purpose (the caller screens; see the suppress package). It refuses
	// everything but an essential service purpose.
	Suppressed bool
	// EmailVerdict is the last verification verdict of the e-mail address; an undeliverable
	// address gets no e-mail, a risky one none when ExcludeRisky (a workspace setting).
	EmailVerdict AddressVerdict
	ExcludeRisky bool
	// Now is the time of the evaluation; time limits (double opt-in window, stale consent,
	// CASL implied consent) are measured against it.
	Now time.Time
}

// SourceFacts is the provenance of the consent relied on, or of the contact when the ledger
// has no entry for the purpose: its type and the evidence kept with it.
type SourceFacts struct {
	Type               SourceType
	OnBehalfOf         bool // collected by a third party on this workspace's behalf
	DoubleOptIn        bool // a double opt-in confirmation is on file
	WrittenPermission  bool // explicit written (signed or electronic) permission is on file
	SeparateBox        bool // the person ticked a separate, unticked box (raffles)
	CollectionEvidence bool // documentation of how the list was collected (agency clients)
	// PurchaseAt and InquiryAt are the dates of the purchase or inquiry the source records
	// (customer-purchase, customer-inquiry); the caller merges them into CustomerFacts.
	PurchaseAt, InquiryAt time.Time
}

// ConsentFacts is the ledger state for contact × purpose × channel.
type ConsentFacts struct {
	State        ConsentState
	GrantedAt    time.Time // first step of the sign-up
	ConfirmedAt  time.Time // double opt-in confirmation, if any
	LastMailedAt time.Time // last message sent for the purpose; zero if never
	// Prechecked is true when the box of the consent on record was displayed already ticked:
	// that is no consent (CJEU C-673/17, Planet49), so a granted or confirmed state is refused.
	Prechecked bool
}

// CustomerFacts describes an existing relationship with the workspace.
type CustomerFacts struct {
	// Existing is true for customers and account holders (a contract exists).
	Existing bool
	// SoftOptInNotice is true when the customer was told at collection that the address may
	// be used for similar products and was offered a free way to object.
	SoftOptInNotice bool
	LastPurchaseAt  time.Time
	LastInquiryAt   time.Time
}

// LIFacts are the two records legitimate interest needs.
type LIFacts struct {
	AssessmentApproved bool // the workspace has an approved assessment (LIA) for the purpose
	ContactReason      bool // a per-contact reason ("why you are the right person") is recorded
}

// ConsentState is the latest ledger state for contact × purpose × channel.
type ConsentState uint8

// The ledger states.
const (
	ConsentNone ConsentState = iota
	ConsentGranted
	ConsentConfirmed
	ConsentWithdrawn
	ConsentExpired
	ConsentObjected
	numConsentStates
)

var consentNames = [numConsentStates]string{"none", "granted", "confirmed", "withdrawn", "expired", "objected"}

// String returns the ledger name of the state.
func (s ConsentState) String() string {
	if s < numConsentStates {
		return consentNames[s]
	}
	return fmt.Sprintf("ConsentState(%d)", uint8(s))
}

// ParseConsentState maps a ledger name to its state.
func ParseConsentState(s string) (ConsentState, error) {
	for i, n := range consentNames {
		if n == s {
			return ConsentState(i), nil
		}
	}
	return 0, fmt.Errorf("unknown consent state %q: use one of none, granted, confirmed, withdrawn, expired, objected", s)
}

// AddressKind says whether an address belongs to an organisation or a person.
type AddressKind uint8

// The address kinds. AddressUnknown lets Evaluate decide from the e-mail domain.
const (
	AddressUnknown AddressKind = iota
	AddressCorporate
	AddressPersonal
	AddressSoleTrader
)

var addressKindNames = [...]string{"unknown", "corporate", "personal", "sole_trader"}

// String returns unknown, corporate, personal or sole_trader (the contact_kind names).
func (k AddressKind) String() string {
	if int(k) < len(addressKindNames) {
		return addressKindNames[k]
	}
	return fmt.Sprintf("AddressKind(%d)", uint8(k))
}

// Validate reports facts Evaluate cannot judge well: unknown enums and a missing Now.
func (f *Facts) Validate() error {
	var errs []error
	if !f.Source.Type.Valid() {
		errs = append(errs, fmt.Errorf("%w %d: set Source.Type (see SourceSlugs)", ErrUnknownSourceType, uint8(f.Source.Type)))
	}
	if !f.Channel.Valid() {
		errs = append(errs, fmt.Errorf("%w %d: use email, phone or sms", ErrUnknownChannel, uint8(f.Channel)))
	}
	if f.Purpose.Name == "" {
		errs = append(errs, fmt.Errorf("%w: Purpose.Name is empty", ErrUnknownPurpose))
	}
	if f.Consent.State >= numConsentStates {
		errs = append(errs, fmt.Errorf("consent state %d is not defined", f.Consent.State))
	}
	if f.Now.IsZero() {
		errs = append(errs, errors.New("facts.Now is not set: time limits cannot be checked"))
	}
	return errors.Join(errs...)
}

// ContactStatus is the contact's lifecycle status (contact.Status).
type ContactStatus uint8

// The contact statuses; the zero value is active.
const (
	StatusActive ContactStatus = iota
	StatusUnsubscribed
	StatusBounced
	StatusBlocked
)

// ParseContactStatus maps contact.Status names; "" is active.
func ParseContactStatus(s string) (ContactStatus, error) {
	switch s {
	case "", "active":
		return StatusActive, nil
	case "unsubscribed":
		return StatusUnsubscribed, nil
	case "bounced":
		return StatusBounced, nil
	case "blocked":
		return StatusBlocked, nil
	}
	return StatusActive, fmt.Errorf("unknown contact status %q: use active, unsubscribed, bounced or blocked", s)
}

// AddressVerdict is what address verification concluded about an e-mail address.
type AddressVerdict uint8

// The verdicts (verify.Verdict); unchecked addresses are VerdictUnknown.
const (
	VerdictUnknown AddressVerdict = iota
	VerdictDeliverable
	VerdictRisky
	VerdictUndeliverable
)

// ParseAddressVerdict reads a stored verdict; anything else is unknown.
func ParseAddressVerdict(b []byte) AddressVerdict {
	switch string(b) {
	case "deliverable":
		return VerdictDeliverable
	case "risky":
		return VerdictRisky
	case "undeliverable":
		return VerdictUndeliverable
	}
	return VerdictUnknown
}
