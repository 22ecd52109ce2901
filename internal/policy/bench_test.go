package policy

import (
	"math/rand/v2"
	"testing"
	"time"
)

// mixedFacts is a realistic campaign audience: mostly consented subscribers in a few
// countries, some soft opt-in customers, B2B prospects, withdrawals and refused sources.
func mixedFacts(n int) []Facts {
	r := rand.New(rand.NewPCG(1, 2))
	countries := []string{"DE", "DE", "FR", "GB", "US", "US", "NL", "ES", "IT", "PL", "SE", "CA", "AT", "CH", ""}
	domains := []string{"gmail.com", "acme.com", "web.de", "example-gmbh.de", "outlook.fr", "corp.co.uk"}
	sources := []SourceType{SourceWebFormDoubleOptIn, SourceWebFormDoubleOptIn, SourceWebFormDoubleOptIn,
		SourceShopNewsletterBox, SourceShopSoftOptIn, SourceB2BPublicResearch, SourceCRMExport,
		SourceSignupCards, SourceAPI, SourceBrokerPurchase, SourceBusinessCards, SourceRaffle}
	states := []ConsentState{ConsentConfirmed, ConsentConfirmed, ConsentConfirmed, ConsentGranted,
		ConsentNone, ConsentNone, ConsentWithdrawn, ConsentObjected, ConsentExpired}
	purposes := DefaultPurposes()
	out := make([]Facts, n)
	for i := range out {
		out[i] = Facts{
			Purpose:     purposes[r.IntN(len(purposes))],
			Channel:     ChannelEmail,
			Country:     countries[r.IntN(len(countries))],
			EmailDomain: domains[r.IntN(len(domains))],
			Source:      SourceFacts{Type: sources[r.IntN(len(sources))], DoubleOptIn: r.IntN(3) == 0, WrittenPermission: r.IntN(4) == 0},
			Consent: ConsentFacts{State: states[r.IntN(len(states))], GrantedAt: now.Add(-time.Duration(r.IntN(90*24)) * time.Hour),
				LastMailedAt: now.Add(-time.Duration(r.IntN(60*24)) * time.Hour)},
			Customer: CustomerFacts{Existing: r.IntN(3) == 0, SoftOptInNotice: r.IntN(2) == 0, LastPurchaseAt: now.AddDate(0, -r.IntN(30), 0)},
			LI:       LIFacts{AssessmentApproved: r.IntN(2) == 0, ContactReason: r.IntN(2) == 0},
			Now:      now,
		}
		if r.IntN(10) == 0 {
			out[i].Channel = ChannelSMS
		}
	}
	return out
}

// BenchmarkEvaluate measures the batch path a campaign uses: one reused Verdict per worker.
func BenchmarkEvaluate(b *testing.B) {
	facts := mixedFacts(4096)
	pol := Default()
	var v Verdict
	allowed := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		pol.EvaluateInto(&facts[i&4095], &v)
		if v.Allowed {
			allowed++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
	b.ReportMetric(float64(allowed)/float64(b.N), "allowed/op")
}

// BenchmarkEvaluateFresh measures Evaluate, which returns a fresh Reasons slice each call.
func BenchmarkEvaluateFresh(b *testing.B) {
	facts := mixedFacts(4096)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v := Evaluate(&facts[i&4095])
		_ = v
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "evals/s")
}

func TestEvaluateIntoDoesNotAllocate(t *testing.T) {
	facts := mixedFacts(512)
	var v Verdict
	Default().EvaluateInto(&facts[0], &v)
	i := 0
	if n := testing.AllocsPerRun(2000, func() { Default().EvaluateInto(&facts[i%512], &v); i++ }); n != 0 {
		t.Errorf("EvaluateInto allocates %.1f times per call", n)
	}
}
