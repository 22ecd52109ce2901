package policy

import "strings"

// regime is how a channel treats marketing without consent.
type regime uint8

const (
	regimeConsent regime = iota // prior consent (or a listed exception) required
	regimeOptOut                // allowed unless the person opted out
)

// channelRule is one compiled jurisdiction × channel row.
type channelRule struct {
	ruleID                 string
	regime                 regime
	softOptIn, b2bLI       bool
	postal, dnc            bool
	impliedPurchaseMonths  int
	impliedInquiryMonths   int
	hasNote                bool
	note, allowed, refused Reason
}

// jurisdiction is one compiled jurisdiction row.
type jurisdiction struct {
	id, name string
	codes    []string
	ch       [numChannels]channelRule
}

// regionRow maps a country subdivision (US-CA) to its own jurisdiction.
type regionRow struct {
	country int
	region  string
	juris   uint8
}

// JurisdictionInfo describes a jurisdiction row for documentation and the API.
type JurisdictionInfo struct {
	ID    string   `json:"id"`
	Name  string   `json:"name"`
	Codes []string `json:"codes"` // ISO 3166-1 alpha-2 or ISO 3166-2 codes; empty for the default
}

// Jurisdictions lists the jurisdiction rows of p.
func (p *Policy) Jurisdictions() []JurisdictionInfo {
	out := make([]JurisdictionInfo, len(p.juris))
	for i, j := range p.juris {
		out[i] = JurisdictionInfo{ID: j.id, Name: j.name, Codes: append([]string(nil), j.codes...)}
	}
	return out
}

// JurisdictionOf returns the rule id of the jurisdiction for a country and region,
// e.g. ("us", "CA") -> "jur-us-ca", ("ZZ", "") -> "jur-unknown".
func (p *Policy) JurisdictionOf(country, region string) string {
	return p.juris[p.lookup(country, region)].id
}

// countryIndex maps a two-letter code in any case to 0..675, or -1.
func countryIndex(c string) int {
	if len(c) != 2 {
		return -1
	}
	a, b := c[0]|0x20, c[1]|0x20
	if a < 'a' || a > 'z' || b < 'a' || b > 'z' {
		return -1
	}
	return int(a-'a')*26 + int(b-'a')
}

// lookup finds the jurisdiction index without allocating.
func (p *Policy) lookup(country, region string) int {
	ci := countryIndex(country)
	if ci < 0 {
		return int(p.unknown)
	}
	if region != "" {
		// Accept "CA" and "US-CA".
		if len(region) > 3 && region[2] == '-' {
			region = region[3:]
		}
		for _, r := range p.regions {
			if r.country == ci && strings.EqualFold(r.region, region) {
				return int(r.juris)
			}
		}
	}
	if j := p.countries[ci]; j != 0 {
		return int(j - 1)
	}
	return int(p.unknown)
}
