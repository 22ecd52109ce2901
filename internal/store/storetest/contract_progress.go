package storetest

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/store"
)

// testCampaignProgress: DeliveryStates counts a campaign's send log per state as
// DeliveryCounts does, and nothing for another workspace or an unknown campaign.
func testCampaignProgress(t *testing.T, st *store.Store) {
	ctx := context.Background()
	s := seedCampaign(t, st, "progress", 4)
	now := time.Now().UTC().Truncate(time.Second)
	snap := []campaign.Snapshot{{ContactID: s.contacts[0], State: campaign.Queued}, {ContactID: s.contacts[1], State: campaign.Queued},
		{ContactID: s.contacts[2], State: campaign.Queued}, {ContactID: s.contacts[3], State: campaign.Excluded, Reason: "con-01: no consent"}}
	if err := st.WriteDeliveries(ctx, s.ws, s.c.ID, true, snap, now); err != nil {
		t.Fatal(err)
	}
	claimed, err := st.ClaimCampaignDeliveries(ctx, s.ws, s.c.ID, "p", 2, now)
	if err != nil || len(claimed) != 2 {
		t.Fatalf("claim: %d, %v", len(claimed), err)
	}
	if err := st.RecordOutcomes(ctx, s.ws, s.c.ID, "p", []campaign.Outcome{
		{ContactID: claimed[0].ContactID, State: campaign.Sent, MessageID: "m1@x", Attempted: true, At: now},
		{ContactID: claimed[1].ContactID, State: campaign.Failed, SMTPCode: 550, Reason: "no such user", Attempted: true, At: now}}); err != nil {
		t.Fatal(err)
	}
	got, err := st.DeliveryStates(ctx, s.ws, s.c.ID)
	want := map[campaign.DeliveryState]int{campaign.Queued: 1, campaign.Sent: 1, campaign.Failed: 1, campaign.Excluded: 1}
	if err != nil || !maps.Equal(got, want) {
		t.Fatalf("states = %v, %v; want %v", got, err, want)
	}
	counts, err := st.DeliveryCounts(ctx, s.ws, s.c.ID)
	if err != nil || !maps.Equal(counts.ByState, got) {
		t.Fatalf("DeliveryCounts %v, %v; DeliveryStates %v", counts.ByState, err, got)
	}
	other := ws(t, st, "progress-other")
	for _, c := range []struct{ ws, id int64 }{{other, s.c.ID}, {s.ws, s.c.ID + 1000}} {
		if got, err := st.DeliveryStates(ctx, c.ws, c.id); err != nil || len(got) != 0 {
			t.Errorf("states of workspace %d campaign %d = %v, %v; want none", c.ws, c.id, got, err)
		}
	}
}
