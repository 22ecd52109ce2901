package policy

import (
	"errors"
	"fmt"
	"strings"
)

// SourceType says how a contact (or the consent relied on) was obtained. The zero value is
// not a valid source type.
type SourceType uint8

// The source types: SPEC §3 cases 1-15 and 11b, then clearlist's own channels.
const (
	SourceBrokerPurchase SourceType = iota + 1
	SourceTradeFairOrganiser
	SourceOwnStandSignup
	SourcePurchasingAssociation
	SourceSocialNetwork
	SourcePartnerList
	SourcePRAgencyList
	SourceBusinessCards
	SourceSignupCards
	SourceAgencyClientList
	SourceShopNewsletterBox
	SourceShopSoftOptIn
	SourceGroupMembers
	SourceCRMExport
	SourceBusinessContacts
	SourceRaffle
	SourceWebFormSingleOptIn
	SourceWebFormDoubleOptIn
	SourceAPI
	SourceManualWrittenConsent
	SourceB2BPublicResearch
	SourceCustomerPurchase // a customer who bought: its date gives CASL implied consent (2 years)
	SourceCustomerInquiry  // a person who asked about a product: CASL implied consent (6 months)

	numSourceTypes = int(SourceCustomerInquiry) + 1
)

// sourceSlugs are the stable names used by imports and the API (the same as contact.SourceTypes).
var sourceSlugs = [numSourceTypes]string{
	SourceBrokerPurchase:        "broker-purchase",
	SourceTradeFairOrganiser:    "trade-fair-organiser",
	SourceOwnStandSignup:        "own-stand-signup",
	SourcePurchasingAssociation: "purchasing-association",
	SourceSocialNetwork:         "social-network",
	SourcePartnerList:           "partner-list",
	SourcePRAgencyList:          "pr-agency-list",
	SourceBusinessCards:         "business-cards",
	SourceSignupCards:           "signup-cards",
	SourceAgencyClientList:      "agency-client-list",
	SourceShopNewsletterBox:     "shop-newsletter-box",
	SourceShopSoftOptIn:         "shop-soft-opt-in",
	SourceGroupMembers:          "group-members",
	SourceCRMExport:             "crm-export",
	SourceBusinessContacts:      "business-contacts",
	SourceRaffle:                "raffle",
	SourceWebFormSingleOptIn:    "web-form-single-opt-in",
	SourceWebFormDoubleOptIn:    "web-form-double-opt-in",
	SourceAPI:                   "api",
	SourceManualWrittenConsent:  "manual-written-consent",
	SourceB2BPublicResearch:     "b2b-public-research",
	SourceCustomerPurchase:      "customer-purchase",
	SourceCustomerInquiry:       "customer-inquiry",
}

var sourceBySlug = func() map[string]SourceType {
	m := make(map[string]SourceType, numSourceTypes)
	for t := 1; t < numSourceTypes; t++ {
		m[sourceSlugs[t]] = SourceType(t)
	}
	return m
}()

// ErrUnknownSourceType is wrapped by the error ParseSourceType returns for an unknown name.
var ErrUnknownSourceType = errors.New("unknown source type")

// String returns the slug, e.g. "trade-fair-organiser".
func (t SourceType) String() string {
	if t.Valid() {
		return sourceSlugs[t]
	}
	return fmt.Sprintf("SourceType(%d)", uint8(t))
}

// Valid reports whether t is one of the defined source types.
func (t SourceType) Valid() bool { return t > 0 && int(t) < numSourceTypes }

// MarshalText encodes the slug.
func (t SourceType) MarshalText() ([]byte, error) {
	if !t.Valid() {
		return nil, fmt.Errorf("%w %d", ErrUnknownSourceType, uint8(t))
	}
	return []byte(sourceSlugs[t]), nil
}

// UnmarshalText decodes a slug.
func (t *SourceType) UnmarshalText(b []byte) error {
	v, err := ParseSourceType(string(b))
	*t = v
	return err
}

// ParseSourceType maps a slug to its SourceType; the error lists the valid slugs.
func ParseSourceType(slug string) (SourceType, error) {
	if t, ok := sourceBySlug[slug]; ok {
		return t, nil
	}
	if t, ok := sourceBySlug[strings.ToLower(strings.TrimSpace(slug))]; ok {
		return t, nil
	}
	return 0, fmt.Errorf("%w %q: use one of %s", ErrUnknownSourceType, slug, strings.Join(SourceSlugs(), ", "))
}

// SourceSlugs returns every source-type slug in table order.
func SourceSlugs() []string {
	out := make([]string, 0, numSourceTypes-1)
	for t := 1; t < numSourceTypes; t++ {
		out = append(out, sourceSlugs[t])
	}
	return out
}
