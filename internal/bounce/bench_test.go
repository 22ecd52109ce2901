package bounce_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

const benchContacts = 200

// BenchmarkRecord measures events through Record on each engine: hard bounces of a
// campaign's recipients by VERP ids, each a provider event of its own (event, contact
// status, do-not-contact entry, audit entries: one transaction each), and delivery reports
// (event and audit entry only).
func BenchmarkRecord(b *testing.B) {
	for _, eng := range storetest.Engines() {
		for _, kind := range []string{bounce.KindBounced, bounce.KindDelivered} {
			b.Run(eng.Name+"/"+kind, func(b *testing.B) {
				e := newEnv(b, eng.Open(b), "bench", benchContacts, nil)
				b.ResetTimer()
				for i := range b.N {
					k := i % benchContacts
					rs, err := e.svc.Record(e.ctx, e.s.WS, []bounce.Event{{Kind: kind, Status: "5.1.1", ReplyCode: "550",
						Via: bounce.ViaSES, ExternalID: fmt.Sprintf("ev-%d", i), CampaignID: e.s.Campaign, ContactID: e.s.Contacts[k],
						Address: e.s.Addresses[k]}})
					if err != nil || strings.HasPrefix(rs[0].Action, "ignored") {
						b.Fatal(rs, err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
			})
		}
	}
}

// BenchmarkIngest measures received messages through IngestMessage (kept, identified by
// their signed VERP address, recorded) on each engine, with a parse that only looks the
// report up: the parser's own benchmark measures parsing.
func BenchmarkIngest(b *testing.B) {
	for _, eng := range storetest.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			p := parsed{}
			e := newEnv(b, eng.Open(b), "bench", benchContacts, p)
			key, err := e.st.SigningKey(e.ctx, e.s.WS, bounce.VERPKeyName)
			if err != nil {
				b.Fatal(err)
			}
			reports := make([]*dsn.Report, benchContacts)
			for k := range reports {
				reports[k] = &dsn.Report{Kind: dsn.KindBounce,
					Original:   dsn.Original{ReturnPath: deliver.VERPAddress(key, "b.example", e.s.WS, e.s.Campaign, e.s.Contacts[k])},
					Recipients: []dsn.Recipient{{Address: e.s.Addresses[k], Action: "failed", Status: "5.1.1"}}}
			}
			e.svc = bounce.New(e.st, e.dnc, bounce.Options{Classify: classify, Parse: func(raw []byte) (*dsn.Report, error) {
				var i int
				fmt.Sscanf(string(raw), "dsn %d", &i)
				return reports[i%benchContacts], nil
			}})
			b.ResetTimer()
			for i := range b.N {
				res, err := e.svc.IngestMessage(e.ctx, fmt.Appendf(nil, "dsn %d", i), bounce.ViaSMTP)
				if err != nil || res.Ignored != "" {
					b.Fatal(res, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "messages/s")
		})
	}
}

// BenchmarkIngestBatch is BenchmarkIngest through IngestBatch, 500 messages a batch (one
// transaction), the parse again only a look-up.
func BenchmarkIngestBatch(b *testing.B) {
	for _, eng := range storetest.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			e := newEnv(b, eng.Open(b), "bench", benchContacts, parsed{})
			key, err := e.st.SigningKey(e.ctx, e.s.WS, bounce.VERPKeyName)
			if err != nil {
				b.Fatal(err)
			}
			reports := make([]*dsn.Report, benchContacts)
			for k := range reports {
				reports[k] = &dsn.Report{Kind: dsn.KindBounce,
					Original:   dsn.Original{ReturnPath: deliver.VERPAddress(key, "b.example", e.s.WS, e.s.Campaign, e.s.Contacts[k])},
					Recipients: []dsn.Recipient{{Address: e.s.Addresses[k], Action: "failed", Status: "5.1.1"}}}
			}
			e.svc = bounce.New(e.st, e.dnc, bounce.Options{Classify: classify, Parse: func(raw []byte) (*dsn.Report, error) {
				var i int
				fmt.Sscanf(string(raw), "dsn %d", &i)
				return reports[i%benchContacts], nil
			}})
			b.ResetTimer()
			for i := 0; i < b.N; i += 500 {
				raws := make([][]byte, 0, 500)
				for k := i; k < min(i+500, b.N); k++ {
					raws = append(raws, fmt.Appendf(nil, "dsn %d", k))
				}
				rs, err := e.svc.IngestBatch(e.ctx, raws, bounce.ViaSMTP)
				if err != nil || len(rs) != len(raws) || rs[0].Ignored != "" {
					b.Fatal(rs, err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "messages/s")
		})
	}
}
