package campaign_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// BenchmarkProgress: what one poll of the admin UI's live progress reads (Service.Progress:
// the campaign and its deliveries counted per state from the claim index), beside what GET
// /api/v1/campaigns/{id} reads (the campaign and Report, which reads each row for the
// exclusion reasons), for a campaign of 20,000 recipients halfway sent, on SQLite and
// PostgreSQL.
func BenchmarkProgress(b *testing.B) {
	for _, eng := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		b.Run(eng.name, func(b *testing.B) {
			st := eng.open(b)
			ctx := context.Background()
			w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
			if err != nil {
				b.Fatal(err)
			}
			src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w.ID, Type: "api"})
			if err != nil {
				b.Fatal(err)
			}
			l, err := st.CreateList(ctx, contact.List{WorkspaceID: w.ID, Name: "all"})
			if err != nil {
				b.Fatal(err)
			}
			now := time.Now().UTC()
			c, err := st.CreateCampaign(ctx, campaign.Campaign{WorkspaceID: w.ID, Name: "big", Purpose: "newsletter", Channel: "email",
				Lists: []int64{l.ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"},
				State: campaign.Draft, Workers: 1, CreatedAt: now, UpdatedAt: now})
			if err != nil {
				b.Fatal(err)
			}
			const n = 20000
			snap := make([]campaign.Snapshot, 0, n)
			for i := range n {
				addr := fmt.Sprintf("p%05d@example.com", i)
				k, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w.ID, Email: addr, EmailCanonical: addr,
					FirstSourceID: src.ID, Status: contact.StatusActive}, nil)
				if err != nil {
					b.Fatal(err)
				}
				snap = append(snap, campaign.Snapshot{ContactID: k.ID, State: campaign.Queued})
			}
			if err := st.WriteDeliveries(ctx, w.ID, c.ID, true, snap, now); err != nil {
				b.Fatal(err)
			}
			claimed, err := st.ClaimCampaignDeliveries(ctx, w.ID, c.ID, "p", n/2, now)
			if err != nil {
				b.Fatal(err)
			}
			outs := make([]campaign.Outcome, len(claimed))
			for i, r := range claimed {
				outs[i] = campaign.Outcome{ContactID: r.ContactID, State: campaign.Sent, MessageID: fmt.Sprintf("m%d@x", i), Attempted: true, At: now}
			}
			if err := st.RecordOutcomes(ctx, w.ID, c.ID, "p", outs); err != nil {
				b.Fatal(err)
			}
			svc := campaign.New(campaign.Deps{Store: st}, campaign.Options{})
			b.Run("progress", func(b *testing.B) { // what the UI's fragment reads
				for b.Loop() {
					_, by, err := svc.Progress(ctx, w.ID, c.ID)
					if err != nil || by[campaign.Sent] != n/2 {
						b.Fatalf("counts %v, %v", by, err)
					}
				}
			})
			b.Run("campaign+report", func(b *testing.B) { // GET /api/v1/campaigns/{id}'s reads
				for b.Loop() {
					if _, err := svc.Campaign(ctx, w.ID, c.ID); err != nil {
						b.Fatal(err)
					}
					counts, err := svc.Report(ctx, w.ID, c.ID)
					if err != nil || counts.ByState[campaign.Sent] != n/2 {
						b.Fatalf("counts %v, %v", counts, err)
					}
				}
			})
		})
	}
}
