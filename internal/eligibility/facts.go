package eligibility

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/suppress"
)

// The evidence keys of a source (contact.Source.Evidence, `clearlist import --evidence
// KEY=yes`) the policy reads. A key counts when its value is yes, true or 1.
const (
	// EvidenceDoubleOptIn: the contacts confirmed by double opt-in (e.g. with the partner
	// who collected them on this workspace's behalf, or a network's integrated form).
	EvidenceDoubleOptIn = "double_opt_in"
	// EvidenceWrittenPermission: explicit written (signed or electronic) permission is on
	// file for each contact (business cards, CRM exports, manual entry, stand sign-ups).
	EvidenceWrittenPermission = "written_permission"
	// EvidenceSeparateBox: the person ticked a separate, unticked box (raffles).
	EvidenceSeparateBox = "separate_box"
	// EvidenceCollection: documentation of how the list was collected is on file (lists an
	// agency mails for its client).
	EvidenceCollection = "collection_evidence"
	// EvidencePurchaseDate and EvidenceInquiryDate (YYYY-MM-DD) date the purchase or inquiry
	// a source records: CASL implied consent runs 2 years, or 6 months, from it.
	EvidencePurchaseDate = "purchase_date"
	EvidenceInquiryDate  = "inquiry_date"
)

// Evaluation turns store rows into policy facts for one workspace, purpose and channel: the
// only place facts are assembled, used by Eligibility, Batch and LapsedImplied alike. It
// keeps one Facts and caches per source and per interned string, so that evaluating a
// contact allocates nothing in the steady state. It is not safe for concurrent use.
type Evaluation struct {
	s       *Service
	ws      int64
	policy  *policy.Policy
	facts   policy.Facts
	purpose string
	channel consent.Channel
	sources map[int64]contact.Source // preloaded by batches; else loaded on demand
	srcFact map[int64]policy.SourceFacts
	strs    map[string]string // interned country, region and domain values
	attrs   eligibilityAttrs
	screen  *suppress.Screen // the do-not-contact list
	// countryFrom says where the last filled contact's country came from.
	countryFrom string
}

// Where an evaluated contact's country came from (policy.Eligibility.CountryFrom).
const (
	CountryFromContact   = "contact"   // the contact's country field
	CountryFromAttribute = "attribute" // a declared country attribute (data from before the field)
	CountryFromPhone     = "phone"     // the country code of the contact's phone number
	CountryFromNone      = "none"      // unknown: the strictest rules apply
)

// addressKind maps the stored contact kind; an unknown or empty value leaves the policy to
// guess from the channel and the e-mail domain.
func addressKind(b []byte) policy.AddressKind {
	switch string(b) {
	case string(contact.KindCorporate):
		return policy.AddressCorporate
	case string(contact.KindPersonal):
		return policy.AddressPersonal
	case string(contact.KindSoleTrader):
		return policy.AddressSoleTrader
	}
	return policy.AddressUnknown
}

// Prepare readies the evaluation of one purpose and channel in the workspace. batch is true
// for the batches (which read the assessment and the risky-address setting here, and screen
// against a freshly synced list); a single answer reads them with the contact's row.
func (s *Service) Prepare(ctx context.Context, ws int64, purpose, channel string, batch bool) (*Evaluation, error) {
	ch, err := policy.ParseChannel(channel)
	if err != nil {
		return nil, err
	}
	p, err := s.purposeFor(ctx, ws, purpose)
	if err != nil {
		return nil, err
	}
	ev := &Evaluation{s: s, ws: ws, policy: policy.Default(), purpose: purpose, channel: consent.Channel(ch.String()),
		srcFact: map[int64]policy.SourceFacts{}, strs: map[string]string{}}
	ev.facts = policy.Facts{Purpose: p, Channel: ch, Now: s.now()}
	// A batch (a campaign, an export) screens against the list as the store has it now; a
	// single answer uses the index as kept current by this process and its sync loop.
	if ev.screen, err = s.screens.Screen(ctx, ws, batch); err != nil {
		return nil, err
	}
	if batch { // a single answer reads it only for a risky address (Eligibility)
		if ev.facts.ExcludeRisky, err = s.settings.SettingBool(ctx, ws, SettingExcludeRisky); err != nil {
			return nil, err
		}
	}
	if p.Marketing && batch {
		l, err := s.store.LIAFor(ctx, ws, purpose)
		switch {
		case err == nil:
			ev.facts.LI.AssessmentApproved = l.Approved()
		case !isNotFound(err):
			return nil, err
		}
	}
	return ev, nil
}

// PreloadSources reads every source of the workspace at once, as batches do, instead of
// one by one as contacts need them.
func (ev *Evaluation) PreloadSources(ctx context.Context) error {
	var err error
	ev.sources, err = ev.s.store.AllSources(ctx, ev.ws)
	return err
}

// Query selects the contacts of the evaluation's purpose and channel for EachEligibility:
// every contact of the workspace, or of one list, or one contact (0: no restriction).
func (ev *Evaluation) Query(listID, contactID int64) Query {
	return Query{Purpose: ev.purpose, Channel: string(ev.channel), ListID: listID, ContactID: contactID}
}

// Evaluate fills the facts from r and judges them into v.
func (ev *Evaluation) Evaluate(ctx context.Context, r *Row, v *policy.Verdict) error {
	if err := ev.fill(ctx, r); err != nil {
		return err
	}
	ev.policy.EvaluateInto(&ev.facts, v)
	return nil
}

// fill sets every per-contact fact from the row, leaving purpose, channel, the assessment and
// Now as Prepare set them.
func (ev *Evaluation) fill(ctx context.Context, r *Row) error {
	f := &ev.facts
	f.Status = contactStatus(r.Status)
	f.Suppressed = ev.suppressed(r)
	f.EmailVerdict = policy.ParseAddressVerdict(r.EmailVerdict)
	scanAttrs(r.Attrs, &ev.attrs)
	at := &ev.attrs
	// The country is the contact's field; a declared country attribute (how it was given
	// before the field existed) and then the phone number's country code stand in for it.
	f.Region = ev.intern(at.region, true)
	switch {
	case len(r.Country) > 0:
		f.Country, ev.countryFrom = ev.intern(r.Country, true), CountryFromContact
	case len(at.country) > 0:
		f.Country, ev.countryFrom = ev.intern(at.country, true), CountryFromAttribute
	default:
		f.Country, ev.countryFrom = "", CountryFromNone
		if len(r.Phone) > 0 {
			if f.Country = phoneRegion(r.Phone); f.Country != "" {
				ev.countryFrom = CountryFromPhone
			}
		}
	}
	f.Address = addressKind(r.Kind)
	f.EmailDomain = ""
	if i := lastAt(r.Email); i >= 0 {
		f.EmailDomain = ev.intern(r.Email[i+1:], false)
	}
	sourceID := r.FirstSourceID
	if r.Latest.SourceID != 0 {
		sourceID = r.Latest.SourceID
	}
	src, err := ev.source(ctx, sourceID)
	if err != nil {
		return err
	}
	f.Source = src
	f.Consent = policy.ConsentFacts{}
	var doubleOptIn bool
	f.Consent, doubleOptIn = policy.ConsentFromLedger(consent.Action(r.Latest.Action), consent.Basis(r.Latest.Basis),
		r.Latest.RecordedAt, r.Latest.EvidenceAt)
	f.Consent.Prechecked = r.Latest.Prechecked
	if doubleOptIn {
		f.Source.DoubleOptIn = true
	}
	// A grant (or its confirmation) recorded with the document and the wording is the
	// verifiable written permission some source types ask for, per person.
	if r.Latest.WrittenPermission && (f.Consent.State == policy.ConsentGranted || f.Consent.State == policy.ConsentConfirmed) {
		f.Source.WrittenPermission = true
	}
	f.Customer = policy.CustomerFacts{Existing: truthy(at.customer), SoftOptInNotice: truthy(at.softOptInNotice),
		LastPurchaseAt: parseDate(at.lastPurchase), LastInquiryAt: parseDate(at.lastInquiry)}
	// The source's purchase or inquiry counts like the attributes; the later date wins, and a
	// purchase makes the contact a customer.
	if src.PurchaseAt.After(f.Customer.LastPurchaseAt) {
		f.Customer.LastPurchaseAt = src.PurchaseAt
	}
	if src.InquiryAt.After(f.Customer.LastInquiryAt) {
		f.Customer.LastInquiryAt = src.InquiryAt
	}
	if !src.PurchaseAt.IsZero() {
		f.Customer.Existing = true
	}
	f.LI.ContactReason = r.LIReason
	return nil
}

// source returns the policy's view of a source, from the cache, the preloaded sources or
// the store.
func (ev *Evaluation) source(ctx context.Context, id int64) (policy.SourceFacts, error) {
	if sf, ok := ev.srcFact[id]; ok {
		return sf, nil
	}
	var sf policy.SourceFacts
	if src, ok := ev.sources[id]; ok {
		sf = SourceFacts(src)
	} else {
		var err error
		if sf, err = ev.s.cache.source(ctx, ev.s.store, ev.ws, id); err != nil {
			return policy.SourceFacts{}, fmt.Errorf("source %d of a contact: %w", id, err)
		}
	}
	ev.srcFact[id] = sf
	return sf, nil
}

// SourceFacts is the policy's view of a source: its type (an unknown slug stays invalid,
// which the policy refuses) and the evidence flags of its Evidence map.
func SourceFacts(src contact.Source) policy.SourceFacts {
	t, _ := policy.ParseSourceType(src.Type)
	flag := func(key string) bool { return truthy([]byte(src.Evidence[key])) }
	sf := policy.SourceFacts{Type: t, OnBehalfOf: src.OnBehalfOf, DoubleOptIn: flag(EvidenceDoubleOptIn),
		WrittenPermission: flag(EvidenceWrittenPermission), SeparateBox: flag(EvidenceSeparateBox),
		CollectionEvidence: flag(EvidenceCollection)}
	sf.PurchaseAt, sf.InquiryAt = parseDate([]byte(src.Evidence[EvidencePurchaseDate])), parseDate([]byte(src.Evidence[EvidenceInquiryDate]))
	// A purchase or inquiry source without its own date happened when the source was collected.
	if src.CollectedAt != nil {
		collected := src.CollectedAt.UTC().Truncate(24 * time.Hour)
		switch {
		case t == policy.SourceCustomerPurchase && sf.PurchaseAt.IsZero():
			sf.PurchaseAt = collected
		case t == policy.SourceCustomerInquiry && sf.InquiryAt.IsZero():
			sf.InquiryAt = collected
		}
	}
	return sf
}

// intern returns b as a string shared by every equal value, upper-cased when upper is set,
// allocating only the first time a value is seen.
func (ev *Evaluation) intern(b []byte, upper bool) string {
	if len(b) == 0 {
		return ""
	}
	if s, ok := ev.strs[string(b)]; ok {
		return s
	}
	s := strings.TrimSpace(string(b))
	if upper {
		s = strings.ToUpper(s)
	}
	if len(ev.strs) < 1<<16 {
		ev.strs[string(b)] = s
	}
	return s
}

// phoneRegion is the ISO country of an E.164 number, or "" when it has none. Numbers are
// unique per contact, so nothing is cached; it runs only for contacts without a country.
func phoneRegion(phone []byte) string {
	num, err := phonenumbers.Parse(string(phone), "")
	if err != nil {
		return ""
	}
	if r := phonenumbers.GetRegionCodeForNumber(num); r != "ZZ" {
		return r
	}
	return ""
}

func lastAt(b []byte) int {
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] == '@' {
			return i
		}
	}
	return -1
}

// truthy reads a yes/no value: yes, true or 1 (any case) are yes.
func truthy(b []byte) bool {
	switch len(b) {
	case 1:
		return b[0] == '1'
	case 3:
		return (b[0]|0x20) == 'y' && (b[1]|0x20) == 'e' && (b[2]|0x20) == 's'
	case 4:
		return (b[0]|0x20) == 't' && (b[1]|0x20) == 'r' && (b[2]|0x20) == 'u' && (b[3]|0x20) == 'e'
	}
	return false
}

// parseDate reads a YYYY-MM-DD date attribute without allocating; anything else is no date.
func parseDate(b []byte) time.Time {
	if len(b) != 10 || b[4] != '-' || b[7] != '-' {
		return time.Time{}
	}
	n := func(s []byte) int {
		v := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				return -1
			}
			v = v*10 + int(c-'0')
		}
		return v
	}
	y, m, d := n(b[:4]), n(b[5:7]), n(b[8:])
	if y < 0 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
}

// contactStatus maps the stored status without allocating; an unknown value is treated as
// blocked, the safe side.
func contactStatus(b []byte) policy.ContactStatus {
	switch string(b) {
	case "", "active":
		return policy.StatusActive
	case "unsubscribed":
		return policy.StatusUnsubscribed
	case "bounced":
		return policy.StatusBounced
	}
	return policy.StatusBlocked
}
