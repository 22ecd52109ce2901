package policy

import (
	"strings"
	"testing"
)

// TestSourceCases is SPEC §3 as a table: every case, and the conditions that allow it.
func TestSourceCases(t *testing.T) {
	tests := []struct {
		name    string
		facts   func() Facts
		allowed bool
		basis   Basis
		rule    string // the decisive reason's rule id
		text    string // a part of the decisive reason's text
		warn    Warnings
	}{
		{"1 broker list", func() Facts { return base(SourceBrokerPurchase) }, false, BasisNone, "src-01",
			"refused: source 'address-broker list' — purchased lists are never mailable", 0},
		{"2 trade-fair organiser", func() Facts { return base(SourceTradeFairOrganiser) }, false, BasisNone, "src-02",
			"refused: source 'trade-fair organiser list' — consent was given to the organiser, not to this workspace (rule src-02)", 0},
		{"3 own stand, double opt-in", func() Facts {
			f := base(SourceOwnStandSignup)
			f.Consent.State = ConsentConfirmed
			return f
		}, true, BasisDoubleOptInConsent, "src-03", "send a thank-you soon", WarnMailSoon},
		{"3 own stand, signed paper form", func() Facts {
			f := base(SourceOwnStandSignup)
			f.Source.WrittenPermission = true
			return f
		}, true, BasisConsent, "src-03", "signed form", WarnMailSoon},
		{"3 own stand, neither", func() Facts { return base(SourceOwnStandSignup) }, false, BasisNone, "con-07", "not yet confirmed", 0},
		{"4 purchasing association", func() Facts { return base(SourcePurchasingAssociation) }, false, BasisNone, "src-04", "membership agreement", 0},
		{"5 social network", func() Facts {
			f := base(SourceSocialNetwork)
			f.Consent = ConsentFacts{}
			return f
		}, false, BasisNone, "src-05", "only through that network", 0},
		{"5 social network with integrated DOI", func() Facts {
			f := base(SourceSocialNetwork)
			f.Consent.State, f.Consent.ConfirmedAt = ConsentConfirmed, days(1)
			return f
		}, true, BasisDoubleOptInConsent, "src-05", "integrated double opt-in form", 0},
		{"6 partner list, partner's DOI", func() Facts {
			f := base(SourcePartnerList)
			f.Source.DoubleOptIn = true
			return f
		}, false, BasisNone, "src-06", "third-party consent does not transfer", 0},
		{"6 partner list, on behalf", func() Facts {
			f := base(SourcePartnerList)
			f.Source.OnBehalfOf, f.Source.DoubleOptIn = true, true
			return f
		}, true, BasisDoubleOptInConsent, "src-06", "on this workspace's behalf", 0},
		{"7 PR agency list", func() Facts { return base(SourcePRAgencyList) }, false, BasisNone, "src-07", "purchased lists", 0},
		{"8 business cards", func() Facts { return base(SourceBusinessCards) }, false, BasisNone, "src-08", "explicit written permission is missing", 0},
		{"8 business cards, written permission", func() Facts {
			f := base(SourceBusinessCards)
			f.Source.WrittenPermission = true
			return f
		}, true, BasisConsent, "src-08", "explicit written permission for the newsletter", 0},
		{"9 sign-up cards", func() Facts { return base(SourceSignupCards) }, true, BasisConsent, "src-09", "mail them soon", WarnMailSoon},
		{"9 sign-up cards, never mailed in 90 days", func() Facts {
			f := base(SourceSignupCards)
			f.Consent.GrantedAt = days(90)
			return f
		}, true, BasisConsent, "src-09", "sign-up card", WarnMailSoon | WarnStaleConsent},
		{"10 agency, client's list", func() Facts { return base(SourceAgencyClientList) }, false, BasisNone, "src-10", "no evidence of how the client collected", 0},
		{"10 agency, collection documented", func() Facts {
			f := base(SourceAgencyClientList)
			f.Source.CollectionEvidence = true
			return f
		}, true, BasisConsent, "src-10", "documented how the list was collected", 0},
		{"11 shop newsletter box", func() Facts { return base(SourceShopNewsletterBox) }, true, BasisConsent, "src-11", "actively ticked", 0},
		{"11b soft opt-in, own similar products", func() Facts {
			f := base(SourceShopSoftOptIn)
			f.Purpose, f.Consent = productUpdates, ConsentFacts{}
			return f
		}, true, BasisSoftOptIn, "src-11b", "only the shop's own similar products", 0},
		{"11b soft opt-in, newsletter", func() Facts {
			f := base(SourceShopSoftOptIn)
			f.Consent = ConsentFacts{}
			return f
		}, false, BasisNone, "soi-02", "only the workspace's own similar products", 0},
		{"12 group members", func() Facts { return base(SourceGroupMembers) }, false, BasisNone, "src-12", "shared interests are not consent", 0},
		{"13 CRM export", func() Facts { return base(SourceCRMExport) }, false, BasisNone, "src-13", "explicit, verifiable permission", 0},
		{"13 CRM export, verifiable permission", func() Facts {
			f := base(SourceCRMExport)
			f.Source.WrittenPermission = true
			return f
		}, true, BasisConsent, "src-13", "can be verified", 0},
		{"14 business contacts, no consent", func() Facts {
			f := base(SourceBusinessContacts)
			f.Consent = ConsentFacts{}
			return f
		}, false, BasisNone, "src-14", "a business relationship is not a newsletter sign-up", 0},
		{"14 business contacts, confirmed", func() Facts {
			f := base(SourceBusinessContacts)
			f.Consent.State = ConsentConfirmed
			return f
		}, true, BasisDoubleOptInConsent, "src-14", "can be verified", 0},
		{"15 raffle", func() Facts { return base(SourceRaffle) }, false, BasisNone, "src-15", "separately ticked box", 0},
		{"15 raffle, box but unconfirmed", func() Facts {
			f := base(SourceRaffle)
			f.Source.SeparateBox = true
			return f
		}, false, BasisNone, "con-07", "not yet confirmed by double opt-in", 0},
		{"15 raffle, box and DOI", func() Facts {
			f := base(SourceRaffle)
			f.Source.SeparateBox, f.Consent.State = true, ConsentConfirmed
			return f
		}, true, BasisDoubleOptInConsent, "src-15", "separate box and confirmed", 0},
		{"web form, single opt-in", func() Facts { return base(SourceWebFormSingleOptIn) }, true, BasisConsent, "src-16", "weaker proof", WarnSingleOptIn},
		{"web form, DOI pending", func() Facts { return base(SourceWebFormDoubleOptIn) }, false, BasisNone, "con-07", "unconfirmed sign-ups are never mailed", 0},
		{"web form, DOI never confirmed", func() Facts {
			f := base(SourceWebFormDoubleOptIn)
			f.Consent.GrantedAt = days(8)
			return f
		}, false, BasisNone, "con-08", "has expired", 0},
		{"web form, DOI confirmed", func() Facts {
			f := base(SourceWebFormDoubleOptIn)
			f.Consent.State, f.Consent.ConfirmedAt = ConsentConfirmed, days(1)
			return f
		}, true, BasisDoubleOptInConsent, "src-17", "confirmed by double opt-in", 0},
		{"api with consent", func() Facts { return base(SourceAPI) }, true, BasisConsent, "src-18", "integration", 0},
		{"api without consent", func() Facts {
			f := base(SourceAPI)
			f.Consent = ConsentFacts{}
			return f
		}, false, BasisNone, "con-01", "no consent is recorded", 0},
		{"manual entry, written consent", func() Facts {
			f := base(SourceManualWrittenConsent)
			f.Source.WrittenPermission = true
			return f
		}, true, BasisConsent, "src-19", "written consent is on file", 0},
		{"manual entry, document missing", func() Facts { return base(SourceManualWrittenConsent) }, false, BasisNone, "src-19", "document is missing", 0},
		{"B2B research, Germany", func() Facts {
			f := base(SourceB2BPublicResearch)
			f.Consent, f.EmailDomain = ConsentFacts{}, "example-gmbh.de"
			f.LI = LIFacts{AssessmentApproved: true, ContactReason: true}
			return f
		}, false, BasisNone, "src-20", "public sources give no consent", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.facts()
			v := Evaluate(&f)
			d := v.Decisive()
			if v.Allowed != tt.allowed || v.Basis != tt.basis || d.RuleID != tt.rule || !strings.Contains(d.Text, tt.text) {
				t.Fatalf("got allowed=%v basis=%q decisive %s %q; want allowed=%v basis=%q rule %s text %q%s",
					v.Allowed, v.Basis, d.RuleID, d.Text, tt.allowed, tt.basis, tt.rule, tt.text, dump(v))
			}
			if !strings.HasSuffix(d.Text, "(rule "+tt.rule+")") || d.Citation == "" {
				t.Errorf("decisive reason must cite its rule: %+v", d)
			}
			if v.Warnings != tt.warn {
				t.Errorf("warnings = %v, want %v", v.Warnings.List(), tt.warn.List())
			}
			if v.Allowed && !v.RequiresOptOut {
				t.Error("allowed marketing must require an opt-out in every message")
			}
		})
	}
}
