package app

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/signup"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// BenchmarkAuditedWrites measures the write paths the API and the public pages share, each
// one service call, one transaction and its audit entry (issue 11: at least 1,000/s on
// SQLite):
//   - api-contact: contact.Service.Create as an API token (a contact with its attributes and
//     list membership, the entry with keyed hashes of the personal values);
//   - public-signup: signup.Service.Subscribe as a public visitor (screening, source, contact,
//     sign-up, granted ledger entry, audit entries, and the confirmation mail handed to the
//     development outbox).
//
// go test ./internal/app -run '^$' -bench AuditedWrites -benchtime 3000x
func BenchmarkAuditedWrites(b *testing.B) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			a, err := Open(context.Background(), config.Config{DB: e.DSN(b), Workspace: "default", LogLevel: "error"})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			setup := audit.WithActor(context.Background(), audit.Actor{Kind: audit.System, Name: "bench setup"})
			if err := a.Contacts.AddAttribute(setup, a.Workspace.ID, contact.Attribute{Name: "first_name", Type: contact.AttrText,
				Purpose: "greeting"}); err != nil {
				b.Fatal(err)
			}
			if _, err := a.Contacts.CreateList(setup, a.Workspace.ID, "news", "", true); err != nil {
				b.Fatal(err)
			}
			src, err := a.Contacts.CreateSource(setup, a.Workspace.ID, contact.Source{Type: "api", Description: "CRM sync"})
			if err != nil {
				b.Fatal(err)
			}
			run := 0 // -count reruns a sub-benchmark on the same database: new addresses each time
			b.Run("api-contact", func(b *testing.B) {
				run++
				ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.Token, ID: "1", Name: "crm", Role: "admin", RequestID: "r"})
				for i := 0; b.Loop(); i++ {
					_, err := a.Contacts.Create(ctx, a.Workspace.ID, contact.NewContact{Email: fmt.Sprintf("api%d.%d@example.com", run, i),
						Attributes: map[string]any{"first_name": "Ann"}, Lists: []string{"news"},
						Provenance: contact.Provenance{SourceID: src.ID}})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "writes/s")
			})
			b.Run("public-signup", func(b *testing.B) {
				run++
				doi := a.NewDOI("http://lists.example", &deliver.Outbox{Dir: b.TempDir()})
				ps, err := a.Consents.Purposes(setup, a.Workspace.ID)
				if err != nil {
					b.Fatal(err)
				}
				form := signup.FormVersion(ps)
				for i := 0; b.Loop(); i++ {
					ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.Public, ID: fmt.Sprintf("192.0.2.%d", i%250),
						RequestID: "r"})
					err := doi.Subscribe(ctx, signup.Submission{Workspace: a.Workspace.Name, Request: signup.Request{
						Email: fmt.Sprintf("pub%d.%d@example.com", run, i), Shown: []string{"newsletter"}, Ticked: []string{"newsletter"},
						PrecheckedSet: true, FormID: signup.FormID, FormVersion: form, Wording: map[string]string{"newsletter": "Yes, send me the newsletter"},
						List: "news"}, Step: signup.Step{IP: "192.0.2.1", UserAgent: "bench", At: time.Now()}})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signups/s")
			})
		})
	}
}
