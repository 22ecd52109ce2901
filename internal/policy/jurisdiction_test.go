package policy

import (
	"testing"
	"time"
)

// b2b is a contact found by B2B research at a corporate address, with an approved
// assessment and a per-contact reason, and no consent.
func b2b(country, domain string) Facts {
	return Facts{
		Purpose: newsletter, Channel: ChannelEmail, Country: country, EmailDomain: domain,
		Source: SourceFacts{Type: SourceB2BPublicResearch},
		LI:     LIFacts{AssessmentApproved: true, ContactReason: true},
		Now:    now,
	}
}

func TestJurisdictionRows(t *testing.T) {
	tests := []struct {
		name      string
		facts     func() Facts
		juris     string
		allowed   bool
		basis     Basis
		decisive  string
		notice    bool
		postal    bool
		alsoRules []string
		warn      Warnings
	}{
		// EU/EEA: B2B legitimate interest per member state.
		{"DE B2B refused", func() Facts { return b2b("DE", "acme.de") }, "jur-de", false, BasisNone, "src-20", false, false, nil, 0},
		{"FR B2B legitimate interest", func() Facts { return b2b("fr", "acme.fr") }, "jur-fr", true, BasisLegitimateInterest, "li-01", true, false, []string{"jur-fr"}, 0},
		{"NL B2B legitimate interest", func() Facts { return b2b("NL", "acme.nl") }, "jur-nl", true, BasisLegitimateInterest, "li-01", true, false, nil, 0},
		{"SE B2B legitimate interest", func() Facts { return b2b("SE", "acme.se") }, "jur-se", true, BasisLegitimateInterest, "li-01", true, false, nil, 0},
		{"ES B2B refused", func() Facts { return b2b("ES", "acme.es") }, "jur-es", false, BasisNone, "src-20", false, false, []string{"jur-es"}, 0},
		{"IT B2B refused", func() Facts { return b2b("IT", "acme.it") }, "jur-it", false, BasisNone, "src-20", false, false, []string{"jur-it"}, 0},
		{"PL B2B refused", func() Facts { return b2b("PL", "acme.pl") }, "jur-pl", false, BasisNone, "src-20", false, false, []string{"jur-pl"}, 0},
		{"AT strict EEA default", func() Facts { return b2b("AT", "acme.at") }, "jur-eea", false, BasisNone, "src-20", false, false, []string{"jur-eea"}, 0},
		{"NO strict EEA default", func() Facts { return b2b("NO", "acme.no") }, "jur-eea", false, BasisNone, "src-20", false, false, nil, 0},
		{"FR free-mail is personal", func() Facts { return b2b("FR", "orange.fr") }, "jur-fr", false, BasisNone, "src-20", false, false, []string{"li-04", "jur-fr"}, 0},
		{"FR no assessment", func() Facts {
			f := b2b("FR", "acme.fr")
			f.LI.AssessmentApproved = false
			return f
		}, "jur-fr", false, BasisNone, "src-20", false, false, []string{"li-02"}, 0},
		{"FR no per-contact reason", func() Facts {
			f := b2b("FR", "acme.fr")
			f.LI.ContactReason = false
			return f
		}, "jur-fr", false, BasisNone, "src-20", false, false, []string{"li-03"}, 0},
		{"DE consent", func() Facts { return base(SourceShopNewsletterBox) }, "jur-de", true, BasisConsent, "src-11", false, false, []string{"jur-de"}, 0},
		{"DE soft opt-in for a customer told at checkout", func() Facts {
			f := base(SourceAPI)
			f.Purpose, f.Consent = productUpdates, ConsentFacts{}
			f.Customer = CustomerFacts{Existing: true, SoftOptInNotice: true}
			return f
		}, "jur-de", true, BasisSoftOptIn, "soi-01", false, false, nil, 0},
		// UK PECR reg. 22: corporate subscribers yes, sole traders and personal addresses no.
		{"UK corporate subscriber", func() Facts { return b2b("GB", "acme.co.uk") }, "jur-uk", true, BasisLegitimateInterest, "li-01", true, false, []string{"jur-uk"}, 0},
		{"UK alias code", func() Facts { return b2b("uk", "acme.co.uk") }, "jur-uk", true, BasisLegitimateInterest, "li-01", true, false, nil, 0},
		{"UK sole trader", func() Facts {
			f := b2b("GB", "smith-plumbing.co.uk")
			f.Address = AddressSoleTrader
			return f
		}, "jur-uk", false, BasisNone, "src-20", false, false, []string{"li-04", "jur-uk"}, 0},
		{"UK free-mail", func() Facts { return b2b("GB", "Hotmail.co.uk") }, "jur-uk", false, BasisNone, "src-20", false, false, []string{"li-04"}, 0},
		{"UK soft opt-in", func() Facts {
			f := base(SourceShopSoftOptIn)
			f.Country, f.Purpose, f.Consent = "GB", productUpdates, ConsentFacts{}
			return f
		}, "jur-uk", true, BasisSoftOptIn, "src-11b", false, false, nil, 0},
		// US CAN-SPAM opt-out regime; SMS needs TCPA consent; calls need a DNC scrub.
		{"US opt-out regime", func() Facts { return b2b("US", "gmail.com") }, "jur-us", true, BasisOptOutRegime, "jur-us", false, true, nil, 0},
		{"US opted out", func() Facts {
			f := b2b("US", "acme.com")
			f.Consent.State = ConsentWithdrawn
			return f
		}, "jur-us", false, BasisNone, "con-04", false, false, nil, 0},
		{"US purchased list still refused", func() Facts { return base2(SourceBrokerPurchase, "US") }, "jur-us", false, BasisNone, "src-01", false, false, nil, 0},
		{"US SMS needs consent", func() Facts {
			f := b2b("US", "acme.com")
			f.Channel = ChannelSMS
			return f
		}, "jur-us", false, BasisNone, "src-20", false, false, []string{"jur-us-sms"}, 0},
		{"US call", func() Facts {
			f := b2b("US", "acme.com")
			f.Channel = ChannelPhone
			return f
		}, "jur-us", true, BasisOptOutRegime, "jur-us-phone", false, false, nil, WarnDoNotCallRegistry},
		{"US-CA region", func() Facts {
			f := b2b("US", "acme.com")
			f.Region = "US-CA"
			return f
		}, "jur-us-ca", true, BasisOptOutRegime, "jur-us-ca", false, true, []string{"ccpa-01"}, 0},
		{"US-CA short region", func() Facts {
			f := b2b("us", "acme.com")
			f.Region = "ca"
			return f
		}, "jur-us-ca", true, BasisOptOutRegime, "jur-us-ca", false, true, []string{"ccpa-01"}, 0},
		{"US other region", func() Facts {
			f := b2b("US", "acme.com")
			f.Region = "US-NY"
			return f
		}, "jur-us", true, BasisOptOutRegime, "jur-us", false, true, nil, 0},
		// Canada CASL: express consent, or implied for 2 years / 6 months.
		{"CA express consent", func() Facts { return base2(SourceShopNewsletterBox, "CA") }, "jur-ca", true, BasisConsent, "src-11", false, true, []string{"jur-ca"}, 0},
		{"CA purchase 23 months ago", func() Facts { return casl(now.AddDate(0, -23, 0), time.Time{}) }, "jur-ca", true, BasisImpliedConsent, "casl-01", false, true, nil, WarnImpliedConsentCA},
		{"CA purchase 25 months ago", func() Facts { return casl(now.AddDate(0, -25, 0), time.Time{}) }, "jur-ca", false, BasisNone, "con-01", false, false, []string{"jur-ca"}, 0},
		{"CA inquiry 5 months ago", func() Facts { return casl(time.Time{}, now.AddDate(0, -5, 0)) }, "jur-ca", true, BasisImpliedConsent, "casl-02", false, true, nil, WarnImpliedConsentCA},
		{"CA inquiry 7 months ago", func() Facts { return casl(time.Time{}, now.AddDate(0, -7, 0)) }, "jur-ca", false, BasisNone, "con-01", false, false, nil, 0},
		// Unknown countries: strictest.
		{"unknown country, no consent", func() Facts { return b2b("ZZ", "acme.com") }, "jur-unknown", false, BasisNone, "src-20", false, false, []string{"jur-unknown"}, 0},
		{"empty country, no consent", func() Facts { return b2b("", "acme.com") }, "jur-unknown", false, BasisNone, "src-20", false, false, nil, 0},
		{"unlisted country with consent", func() Facts { return base2(SourceShopNewsletterBox, "CH") }, "jur-unknown", true, BasisConsent, "src-11", false, false, []string{"jur-unknown"}, 0},
		{"unknown country, no soft opt-in", func() Facts {
			f := base2(SourceShopSoftOptIn, "JP")
			f.Purpose, f.Consent = productUpdates, ConsentFacts{}
			return f
		}, "jur-unknown", false, BasisNone, "src-11b", false, false, nil, 0},
		// Phone outside the US: strict default.
		{"DE call without consent", func() Facts {
			f := base(SourceAPI)
			f.Channel, f.Consent = ChannelPhone, ConsentFacts{}
			return f
		}, "jur-de", false, BasisNone, "con-01", false, false, []string{"jur-phone"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.facts()
			v := Evaluate(&f)
			d := v.Decisive()
			if v.Jurisdiction != tt.juris || v.Allowed != tt.allowed || v.Basis != tt.basis || d.RuleID != tt.decisive {
				t.Fatalf("got %s allowed=%v basis=%q decisive=%s; want %s %v %q %s%s",
					v.Jurisdiction, v.Allowed, v.Basis, d.RuleID, tt.juris, tt.allowed, tt.basis, tt.decisive, dump(v))
			}
			if v.RequiresNotice != tt.notice || v.RequiresPostalAddress != tt.postal {
				t.Errorf("notice=%v postal=%v, want %v %v", v.RequiresNotice, v.RequiresPostalAddress, tt.notice, tt.postal)
			}
			if v.Warnings != tt.warn {
				t.Errorf("warnings = %v, want %v", v.Warnings.List(), tt.warn.List())
			}
			for _, id := range tt.alsoRules {
				if !hasRule(v, id) {
					t.Errorf("reasons lack rule %s%s", id, dump(v))
				}
			}
		})
	}
}

func base2(src SourceType, country string) Facts {
	f := base(src)
	f.Country = country
	return f
}

func casl(purchase, inquiry time.Time) Facts {
	f := base2(SourceAPI, "CA")
	f.Consent = ConsentFacts{}
	f.Customer = CustomerFacts{Existing: !purchase.IsZero(), LastPurchaseAt: purchase, LastInquiryAt: inquiry}
	return f
}

// TestEveryJurisdictionRowTested guards the table above: each row has a test.
func TestEveryJurisdictionRowTested(t *testing.T) {
	tested := map[string]bool{"jur-eea": true, "jur-de": true, "jur-fr": true, "jur-nl": true, "jur-es": true,
		"jur-it": true, "jur-pl": true, "jur-se": true, "jur-uk": true, "jur-us": true, "jur-us-ca": true,
		"jur-ca": true, "jur-unknown": true}
	for _, j := range Default().Jurisdictions() {
		if !tested[j.ID] {
			t.Errorf("jurisdiction %s (%s) has no row in TestJurisdictionRows", j.ID, j.Name)
		}
	}
}

func TestJurisdictionOf(t *testing.T) {
	p := Default()
	for _, c := range []struct{ country, region, want string }{
		{"DE", "", "jur-de"}, {"de", "BY", "jur-de"}, {"GR", "", "jur-eea"}, {"EL", "", "jur-eea"},
		{"US", "CA", "jur-us-ca"}, {"US", "us-ca", "jur-us-ca"}, {"US", "TX", "jur-us"}, {"CA", "QC", "jur-ca"},
		{"", "", "jur-unknown"}, {"D", "", "jur-unknown"}, {"D1", "", "jur-unknown"}, {"DEU", "", "jur-unknown"},
	} {
		if got := p.JurisdictionOf(c.country, c.region); got != c.want {
			t.Errorf("JurisdictionOf(%q, %q) = %s, want %s", c.country, c.region, got, c.want)
		}
	}
}
