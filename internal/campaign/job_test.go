package campaign_test

import (
	"context"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// idleRounds is a jobs.Service whose periodic rounds do nothing: the test is about the
// campaign's send jobs.
type idleRounds struct{}

func (idleRounds) ExpireSignups(context.Context, time.Time) (int, error)       { return 0, nil }
func (idleRounds) LapseImpliedConsent(context.Context, time.Time) (int, error) { return 0, nil }
func (idleRounds) Reverify(context.Context, time.Time) (int, error)            { return 0, nil }
func (idleRounds) DeliverWebhooks(context.Context, time.Time) (int, int, error) {
	return 0, 0, nil
}

// TestRiverSend: on both engines, a start enqueues the campaign's send jobs on River; three
// of them send the campaign together to a real SMTP server under the process's claim, every
// recipient exactly once, and the campaign finishes.
func TestRiverSend(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		to := addrs("j", 40)
		e := newEnv(t, st, to, nil, nil, campaign.Options{Batch: 4, Concurrency: 2, Now: time.Now})
		sqlDB, pool, err := st.JobDB(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const id = "campaign-test-client"
		release, err := st.ClaimProcess(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		jc, err := jobs.Open(ctx, jobs.DB{SQLite: sqlDB, Postgres: pool}, jobs.Options{Service: idleRounds{}, Campaigns: e.svc, ID: id})
		if err != nil {
			t.Fatal(err)
		}
		defer jc.Close()
		e.svc.SetQueue(jc)
		c := e.create(t, "river")
		c.Workers = 3
		if _, err := e.svc.Update(ctx, c); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		queued, err := jc.CampaignJobs(ctx)
		if err != nil || queued[[2]int64{e.ws, c.ID}] != 3 {
			t.Fatalf("queued send jobs = %v, %v; want 3", queued, err)
		}
		if err := jc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer jc.Stop(ctx, 5*time.Second)
		deadline := time.Now().Add(time.Minute)
		for {
			got, err := e.svc.Campaign(ctx, e.ws, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State == campaign.Finished {
				break
			}
			if time.Now().After(deadline) {
				counts, _ := e.svc.Report(ctx, e.ws, c.ID)
				t.Fatalf("the campaign did not finish: %s, %+v", got.State, counts.ByState)
			}
			time.Sleep(50 * time.Millisecond)
		}
		for _, a := range to {
			if n := e.relay.count(a); n != 1 {
				t.Errorf("%s received %d messages, want 1", a, n)
			}
		}
	})
}
