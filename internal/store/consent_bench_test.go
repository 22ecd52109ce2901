package store_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// BenchmarkAppendConsent measures recording consent entries, each its own transaction with
// the checks and the chain link, from one writer and from eight at once (one workspace, so
// the eight queue for its chain).
func BenchmarkAppendConsent(b *testing.B) {
	for _, e := range storetest.Engines() {
		for _, writers := range []int{1, 8} {
			b.Run(fmt.Sprintf("%s/writers=%d", e.Name, writers), func(b *testing.B) {
				ctx := context.Background()
				st := e.Open(b)
				ws, _ := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
				src, _ := st.CreateSource(ctx, contact.Source{WorkspaceID: ws.ID, Type: "web-form-single-opt-in"})
				var ids []int64
				for i := range 100 {
					email := fmt.Sprintf("p%d@example.com", i)
					c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: ws.ID, Email: email, EmailCanonical: email,
						FirstSourceID: src.ID}, nil)
					if err != nil {
						b.Fatal(err)
					}
					ids = append(ids, c.ID)
				}
				entry := consent.Entry{WorkspaceID: ws.ID, Purpose: "newsletter", Channel: consent.Email,
					Action: consent.Granted, Basis: consent.BasisConsent, Actor: "token:1", SourceID: src.ID,
					Evidence: consent.Evidence{Wording: "Yes, send me the monthly newsletter. I can unsubscribe at any time.",
						FormID: "footer", FormVersion: "3", IP: "192.0.2.1", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
						Timestamp: time.Now()}}
				appendOne := func(i int64) error {
					e := entry
					e.ContactID = ids[i%int64(len(ids))]
					_, err := st.AppendConsent(ctx, e)
					return err
				}
				b.ResetTimer()
				var next atomic.Int64
				var wg sync.WaitGroup
				for range writers {
					wg.Go(func() {
						for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
							if err := appendOne(i); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "entries/s")
			})
		}
	}
}
