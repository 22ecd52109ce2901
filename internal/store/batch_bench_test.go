package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// BenchmarkWriteBatch measures the store half of an import: 200,000 new contacts with nine
// attributes, provenance and list membership, in batches of 10,000, into a fresh database.
func BenchmarkWriteBatch(b *testing.B) { benchWriteBatch(b, false) }

// BenchmarkWriteBatchConsents is BenchmarkWriteBatch with two ledger entries a row (granted
// with sign-up time, IP and wording; confirmed), chained in each batch's transaction.
func BenchmarkWriteBatchConsents(b *testing.B) { benchWriteBatch(b, true) }

func benchWriteBatch(b *testing.B, consents bool) {
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			const total, size = 200000, contact.DefaultBatchSize
			rows := make([]contact.Row, total)
			for i := range rows {
				email := fmt.Sprintf("person.%d@company%d.example", i, i%20000)
				rows[i] = contact.Row{Num: i + 1, Email: email, EmailCanonical: email, Attrs: map[string]any{
					"first_name": "Anna", "last_name": "Schmidt", "company": fmt.Sprintf("Company %d", i%20000),
					"company_size": float64(i % 5000), "industry": "retail", "country": "DE", "job_role": "CEO",
					"city": "Berlin", "customer_since": "2021-03-04"}}
				if consents {
					rows[i].Consents = consentRows(i, 1, "newsletter")[0].Consents
				}
			}
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				b.StopTimer()
				st := e.Open(b)
				ws, _ := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
				src, _ := st.CreateSource(ctx, contact.Source{WorkspaceID: ws.ID, Type: "api"})
				if err := st.EnsureDefaultPurposes(ctx, ws.ID); err != nil {
					b.Fatal(err)
				}
				l, _ := st.CreateList(ctx, contact.List{WorkspaceID: ws.ID, Name: "bench"})
				w, err := st.NewBatchWriter(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				for i := 0; i < total; i += size {
					batch := contact.Batch{WorkspaceID: ws.ID, SourceID: src.ID, ListID: l.ID,
						OnConflict: contact.ConflictUpdate, Rows: rows[i : i+size]}
					if _, err := w.WriteBatch(ctx, &batch); err != nil {
						b.Fatal(err)
					}
				}
				b.StopTimer()
				w.Close()
				b.StartTimer()
			}
			b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}
