package storetest

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/store"
)

// testClaimInFlight: ClaimInFlight records the outcomes it is given, claims up to its limit in
// due order with the first `sending` rows in flight (listed first) and the rest claimed, never
// the rows of another claim, and a dead process's rows then split as the sweep wants them:
// in-flight ones unknown, claimed ones back in the queue.
func testClaimInFlight(t *testing.T, st *store.Store) {
	ctx := context.Background()
	s := seedCampaign(t, st, "claim-in-flight", 6)
	now := time.Now().UTC().Truncate(time.Second)
	var snap []campaign.Snapshot
	for _, c := range s.contacts {
		snap = append(snap, campaign.Snapshot{ContactID: c, State: campaign.Queued})
	}
	if err := st.WriteDeliveries(ctx, s.ws, s.c.ID, true, snap, now); err != nil {
		t.Fatal(err)
	}
	first, err := st.ClaimInFlight(ctx, s.ws, s.c.ID, "p", nil, 3, 2, now)
	if err != nil || len(first) != 3 {
		t.Fatalf("claim = %d rows, %v; want 3", len(first), err)
	}
	states := func() map[campaign.DeliveryState]int {
		t.Helper()
		got, err := st.DeliveryStates(ctx, s.ws, s.c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got, want := states(), map[campaign.DeliveryState]int{campaign.InFlight: 2, campaign.Claimed: 1, campaign.Queued: 3}; !maps.Equal(got, want) {
		t.Fatalf("after the claim: %v, want %v", got, want)
	}
	// The second claim records the first one's outcomes in the same transaction; another
	// claim's outcomes for rows it does not hold change nothing.
	outs := []campaign.Outcome{
		{ContactID: first[0].ContactID, State: campaign.Sent, MessageID: "m1@x", Attempted: true, At: now},
		{ContactID: first[1].ContactID, State: campaign.Failed, SMTPCode: 550, Reason: "no such user", Attempted: true, At: now},
		{ContactID: first[2].ContactID, State: campaign.Queued, NextAttemptAt: now, At: now}, // never handed over: may be claimed again at once
	}
	if _, err := st.ClaimInFlight(ctx, s.ws, s.c.ID, "other", outs, 0, 0, now); err != nil {
		t.Fatal(err)
	}
	if got := states(); got[campaign.Sent] != 0 || got[campaign.InFlight] != 2 {
		t.Fatalf("another claim's outcomes were recorded: %v", got)
	}
	second, err := st.ClaimInFlight(ctx, s.ws, s.c.ID, "p", outs, 2, 5, now)
	if err != nil || len(second) != 2 {
		t.Fatalf("second claim = %d rows, %v; want 2", len(second), err)
	}
	if got, want := states(), map[campaign.DeliveryState]int{campaign.Sent: 1, campaign.Failed: 1, campaign.InFlight: 2, campaign.Queued: 2}; !maps.Equal(got, want) {
		t.Fatalf("after the second claim: %v, want %v", got, want)
	}
	// A third worker of a process that dies: one row in flight, one only claimed.
	dead, err := st.ClaimInFlight(ctx, s.ws, s.c.ID, "dead", nil, 2, 1, now)
	if err != nil || len(dead) != 2 {
		t.Fatalf("third claim = %d rows, %v; want 2", len(dead), err)
	}
	if n, err := st.MarkUnknown(ctx, s.ws, s.c.ID, []string{"dead"}, now); err != nil || n != 1 {
		t.Fatalf("MarkUnknown = %d, %v; want the one in flight", n, err)
	}
	if got := states(); got[campaign.Unknown] != 1 || got[campaign.Queued] != 1 {
		t.Fatalf("after the sweep: %v, want one unknown and one queued again", got)
	}
	if other, err := st.ClaimInFlight(ctx, s.ws+1000, s.c.ID, "x", nil, 10, 10, now); err != nil || len(other) != 0 {
		t.Fatalf("another workspace claimed %d rows, %v", len(other), err)
	}
}

// outcomeWindow is the guard's window as campaign.Service.Guard puts it together: the send
// log's finished and hard deliveries, plus the hard bounces and complaints reported since.
func outcomeWindow(ctx context.Context, st *store.Store, ws, id int64, since time.Time) (campaign.Window, error) {
	sent, err := st.DeliveryWindow(ctx, ws, id, since)
	if err != nil {
		return campaign.Window{}, err
	}
	ev, err := st.EventWindow(ctx, ws, id, since)
	return campaign.Window{Finished: sent.Finished, Hard: sent.Hard + ev.Hard, Complaints: ev.Complaints}, err
}
