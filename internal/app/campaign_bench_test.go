package app

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// benchRecipients is the audience of the campaign benchmarks; CLEARLIST_BENCH_RECIPIENTS
// sets another.
func benchRecipients() int {
	if n, err := strconv.Atoi(os.Getenv("CLEARLIST_BENCH_RECIPIENTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seedAudience writes n contacts on one list through the import's batch writer, each with a
// granted newsletter consent (nine in ten; the rest have none and are excluded).
func seedAudience(b testing.TB, a *App, n int) int64 {
	ctx := context.Background()
	ws := a.Workspace.ID
	src, err := a.st.CreateSource(ctx, contact.Source{WorkspaceID: ws, Type: "signup-cards"})
	if err != nil {
		b.Fatal(err)
	}
	l, err := a.st.CreateList(ctx, contact.List{WorkspaceID: ws, Name: "audience"})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Consents.Purposes(ctx, ws); err != nil { // seeds the default purposes
		b.Fatal(err)
	}
	w, err := a.st.NewBatchWriter(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	const size = contact.DefaultBatchSize
	rows := make([]contact.Row, size)
	at := time.Now().Add(-time.Hour)
	for i := 0; i < n; i += size {
		m := min(size, n-i)
		for j := range m {
			k := i + j
			email := fmt.Sprintf("reader.%d@domain%d.example", k, k%5000)
			rows[j] = contact.Row{Num: k + 1, Email: email, EmailCanonical: email, Attrs: map[string]any{"first_name": "Anna"}}
			if k%10 != 0 {
				rows[j].Consents = []consent.Entry{{Purpose: "newsletter", Channel: consent.Email, Action: consent.Granted,
					Basis: consent.BasisConsent, Actor: "bench", Evidence: consent.Evidence{Wording: "Yes please", Timestamp: at}}}
			}
		}
		batch := contact.Batch{WorkspaceID: ws, SourceID: src.ID, ListID: l.ID, OnConflict: contact.ConflictUpdate, Rows: rows[:m]}
		if _, err := w.WriteBatch(ctx, &batch); err != nil {
			b.Fatal(err)
		}
	}
	return l.ID
}

// nullSender takes every message and counts it: the send pipeline without a network.
type nullSender struct{ n atomic.Int64 }

func (s *nullSender) Send(_ context.Context, m deliver.Message) error {
	if m.To == "" {
		return fmt.Errorf("no recipient")
	}
	s.n.Add(1)
	return nil
}

// BenchmarkCampaign measures, on both engines and an audience of benchRecipients: the start
// (screening every contact and writing the send log: "start"), and the send pipeline with a
// transport that takes messages at once (claiming, screening again, rendering, recording the
// outcomes: "send", four workers as four send jobs would).
func BenchmarkCampaign(b *testing.B) {
	n := benchRecipients()
	for _, e := range storetest.Engines() {
		b.Run(e.Name, func(b *testing.B) {
			a, err := Open(context.Background(), config.Config{DB: e.DSN(b), Workspace: "default", LogLevel: "error"})
			if err != nil {
				b.Fatal(err)
			}
			defer a.Close()
			list := seedAudience(b, a, n)
			ctx := context.Background()
			sender := &nullSender{}
			svc := campaign.New(campaign.Deps{Store: a.st, Eligibility: a.Elig, Screener: a.Suppressions,
				Renderer: &campaign.BasicRenderer{}, Sender: sender, Settings: a.Workspaces}, campaign.Options{})
			for w := range 4 { // the workers' claims, alive as a serve process's would be
				release, err := a.st.ClaimProcess(ctx, fmt.Sprintf("bench-%d", w))
				if err != nil {
					b.Fatal(err)
				}
				defer release()
			}
			round := 0
			newCampaign := func(b *testing.B) campaign.Campaign {
				round++
				c, err := svc.Create(ctx, campaign.Campaign{WorkspaceID: a.Workspace.ID, Name: fmt.Sprintf("bench-%d", round),
					Purpose: "newsletter", Lists: []int64{list}, FromAddress: "news@sender.example",
					Content: campaign.Content{Subject: "Hello {{.Contact.first_name}}", HTML: "<p>Hi {{.Contact.first_name}}</p>"}})
				if err != nil {
					b.Fatal(err)
				}
				return c
			}
			b.Run("start", func(b *testing.B) {
				for b.Loop() {
					c := newCampaign(b)
					if _, err := svc.Start(ctx, a.Workspace.ID, c.ID); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "recipients/s")
			})
			b.Run("send", func(b *testing.B) {
				sent := 0
				sender.n.Store(0)
				for b.Loop() {
					b.StopTimer()
					c := newCampaign(b)
					aud, err := svc.Start(ctx, a.Workspace.ID, c.ID)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					sendWith4(b, svc, a.Workspace.ID, c.ID)
					sent += aud.Eligible
				}
				b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "messages/s")
				if got := int(sender.n.Load()); got != sent {
					b.Fatalf("sent %d messages, want %d", got, sent)
				}
			})
			// The throttle: a campaign at 2,000 messages a second sent by four workers, each
			// taking its tokens from the shared bucket; messages/s should come out at 2,000.
			b.Run("rate-2000", func(b *testing.B) {
				sent := 0
				for b.Loop() {
					b.StopTimer()
					c := newCampaign(b)
					c.Rate = 2000
					if _, err := svc.Update(ctx, c); err != nil {
						b.Fatal(err)
					}
					aud, err := svc.Start(ctx, a.Workspace.ID, c.ID)
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					sendWith4(b, svc, a.Workspace.ID, c.ID)
					sent += aud.Eligible
				}
				b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "messages/s")
			})
		})
	}
}

// sendWith4 runs four send workers (claims bench-0…3) on the campaign until it is done.
func sendWith4(b *testing.B, svc *campaign.Service, ws, id int64) {
	done := make(chan error, 4)
	for w := range 4 {
		go func() {
			_, err := svc.Send(context.Background(), ws, id, fmt.Sprintf("bench-%d", w))
			done <- err
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
