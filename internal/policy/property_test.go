package policy

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var (
	propCountries = []string{"DE", "FR", "NL", "ES", "IT", "PL", "SE", "AT", "NO", "GB", "US", "CA", "CH", "JP", "", "zz", "us", "de"}
	propRegions   = []string{"", "", "CA", "US-CA", "NY", "BY"}
	propDomains   = []string{"gmail.com", "acme.com", "acme.co.uk", "Yahoo.FR", "", "beispiel.de", "orange.fr"}
	propPurposes  = append(DefaultPurposes(), Purpose{Name: "billing"})
	softOptInLand = []string{"DE", "FR", "NL", "ES", "IT", "PL", "SE", "AT", "NO", "GB", "de"}
	optOutLand    = []string{"US", "us"}
	neverSources  = []SourceType{SourceBrokerPurchase, SourceTradeFairOrganiser, SourcePurchasingAssociation, SourcePRAgencyList, SourceGroupMembers}
)

func randTime(r *rand.Rand) time.Time {
	if r.IntN(4) == 0 {
		return time.Time{}
	}
	return now.Add(-time.Duration(r.Int64N(int64(40 * 30 * 24 * time.Hour))))
}

func randomFacts(r *rand.Rand) Facts {
	b := func() bool { return r.IntN(2) == 0 }
	return Facts{
		Purpose:     propPurposes[r.IntN(len(propPurposes))],
		Channel:     Channel(r.IntN(numChannels)), // includes the invalid zero
		Country:     propCountries[r.IntN(len(propCountries))],
		Region:      propRegions[r.IntN(len(propRegions))],
		EmailDomain: propDomains[r.IntN(len(propDomains))],
		Address:     AddressKind(r.IntN(4)),
		Source: SourceFacts{Type: SourceType(r.IntN(numSourceTypes)), OnBehalfOf: b(), DoubleOptIn: b(),
			WrittenPermission: b(), SeparateBox: b(), CollectionEvidence: b()},
		Consent: ConsentFacts{State: ConsentState(r.IntN(int(numConsentStates))), GrantedAt: randTime(r),
			ConfirmedAt: randTime(r), LastMailedAt: randTime(r)},
		Customer: CustomerFacts{Existing: b(), SoftOptInNotice: b(), LastPurchaseAt: randTime(r), LastInquiryAt: randTime(r)},
		LI:       LIFacts{AssessmentApproved: b(), ContactReason: b()},
		Now:      now,
	}
}

// justified is the property's own, independent statement of what may allow marketing: a
// ledger consent, a soft opt-in, legitimate interest, the US opt-out regime or CASL
// implied consent. It is deliberately coarser than the policy.
func justified(f *Facts) bool {
	consent := f.Consent.State == ConsentGranted || f.Consent.State == ConsentConfirmed
	soft := (f.Source.Type == SourceShopSoftOptIn || f.Customer.Existing && f.Customer.SoftOptInNotice) &&
		f.Purpose.OwnSimilarProducts && f.Channel != ChannelPhone && slices.Contains(softOptInLand, f.Country)
	li := f.LI.AssessmentApproved && f.LI.ContactReason
	optOut := slices.Contains(optOutLand, f.Country) && (f.Channel == ChannelEmail || f.Channel == ChannelPhone)
	implied := f.Country == "CA" && (!f.Customer.LastPurchaseAt.IsZero() || !f.Customer.LastInquiryAt.IsZero())
	return consent || soft || li || optOut || implied
}

func TestPropertyMarketingIsJustified(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 2026))
	var reused Verdict
	allowed := 0
	for i := range 200_000 {
		f := randomFacts(r)
		v := Evaluate(&f)
		fail := func(msg string) { t.Fatalf("case %d: %s\nfacts %+v\nverdict %+v%s", i, msg, f, v, dump(v)) }
		if len(v.Reasons) == 0 || len(v.Reasons) > maxReasons || v.Decisive().RuleID == "" {
			fail("no decisive reason")
		}
		for _, rs := range v.Reasons {
			if rs.RuleID == "" || rs.Citation == "" || rs.Text == "" {
				fail("reason without rule, citation or text")
			}
		}
		if v.Allowed == (v.Basis == BasisNone) {
			fail("allowed and basis disagree")
		}
		if Default().EvaluateInto(&f, &reused); !cmp.Equal(v, reused) {
			fail("EvaluateInto differs from Evaluate: " + cmp.Diff(v, reused))
		}
		if !f.Purpose.Marketing {
			continue
		}
		if v.Allowed {
			allowed++
			if !justified(&f) {
				fail("allowed for marketing without a consent, soft opt-in, LI, opt-out-regime or implied-consent fact")
			}
			for _, rs := range v.Reasons {
				if rs.Outcome == OutcomeRefused {
					fail("an allowed verdict carries a refused reason")
				}
			}
			if !v.RequiresOptOut {
				fail("allowed marketing without an opt-out")
			}
			if (v.Basis == BasisLegitimateInterest) != v.RequiresNotice {
				fail("legitimate interest and the processing notice disagree")
			}
		}
		switch f.Consent.State {
		case ConsentWithdrawn, ConsentObjected, ConsentExpired:
			if v.Allowed {
				fail("allowed after withdrawal, objection or expiry")
			}
		}
		if slices.Contains(neverSources, f.Source.Type) && v.Allowed {
			fail("allowed from a source that is never mailable")
		}
		if f.Source.Type == SourceWebFormDoubleOptIn && f.Consent.State == ConsentGranted && !f.Source.DoubleOptIn && v.Allowed {
			fail("unconfirmed double opt-in sign-up allowed")
		}
		if v.Allowed {
			// Withdrawing flips the verdict at once.
			for _, st := range []ConsentState{ConsentWithdrawn, ConsentObjected} {
				g := f
				g.Consent.State = st
				if w := Evaluate(&g); w.Allowed {
					t.Fatalf("case %d: still allowed after %s%s", i, st, dump(w))
				}
			}
		}
	}
	if allowed < 1000 {
		t.Errorf("only %d allowed marketing verdicts: the generator does not exercise the rules", allowed)
	}
}
