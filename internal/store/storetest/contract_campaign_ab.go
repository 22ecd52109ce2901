package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/track"
)

// testCampaignAB: the A/B test, the tracking choices and the decision are stored with the
// campaign; SplitAB gives the sample its variants and holds the rest (never claimed, and
// the campaign does not finish while held rows wait); VariantFigures counts per variant from
// the send log and the events' own variant (machines apart, unique clickers plus the clicks
// that name nobody); DecideAB releases the held rows with the winner, records the decision
// with its audit entry, and refuses a second decision.
func testCampaignAB(t *testing.T, st *store.Store) {
	ctx := context.Background()
	s := seedCampaign(t, st, "abtest", 6)
	w, id := s.ws, s.c.ID
	s.c.AB = &campaign.ABTest{Variants: []campaign.Variant{{Subject: "B!"}}, SamplePercent: 50, Metric: campaign.MetricClicks, Wait: "1h0m0s"}
	s.c.TrackOpens, s.c.TrackClicks = "off", "on"
	if err := st.UpdateCampaign(ctx, s.c, []campaign.State{campaign.Draft}); err != nil {
		t.Fatal(err)
	}
	c, err := st.Campaign(ctx, w, id)
	if err != nil || c.AB == nil || c.AB.Variants[0].Subject != "B!" || c.AB.Wait != "1h0m0s" || c.TrackOpens != "off" ||
		c.TrackClicks != "on" || c.ABDecision != nil {
		t.Fatalf("campaign = %+v, %v", c, err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	var snap []campaign.Snapshot
	for _, k := range s.contacts {
		snap = append(snap, campaign.Snapshot{ContactID: k, State: campaign.Queued})
	}
	if err := st.WriteDeliveries(ctx, w, id, true, snap, now); err != nil {
		t.Fatal(err)
	}
	fixed := *c.AB
	fixed.Variants = []campaign.Variant{{Subject: "B!", Content: &campaign.Content{Subject: "B!", Text: "Hello"}}}
	if err := st.TransitionCampaign(ctx, campaign.Transition{WorkspaceID: w, ID: id, From: []campaign.State{campaign.Draft},
		To: campaign.Sending, Action: "start", AB: &fixed, At: now}); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.Campaign(ctx, w, id); c.AB.Variants[0].Content == nil || c.AB.Variants[0].Content.Text != "Hello" {
		t.Fatalf("the start's fixed variants were not kept: %+v", c.AB)
	}
	sample := map[int][]int64{1: s.contacts[:2], 2: s.contacts[2:4]}
	if err := st.SplitAB(ctx, w, id, sample, now); err != nil {
		t.Fatal(err)
	}
	rs, err := st.ClaimCampaignDeliveries(ctx, w, id, "p", 100, now)
	if err != nil || len(rs) != 4 {
		t.Fatalf("claimed %d, %v; want the 4 of the sample", len(rs), err)
	}
	var outs []campaign.Outcome
	for _, r := range rs {
		want := 1
		if r.ContactID == s.contacts[2] || r.ContactID == s.contacts[3] {
			want = 2
		}
		if r.Variant != want {
			t.Errorf("contact %d has variant %d, want %d", r.ContactID, r.Variant, want)
		}
		outs = append(outs, campaign.Outcome{ContactID: r.ContactID, State: campaign.Sent, Attempted: true, At: now})
	}
	if err := st.RecordOutcomes(ctx, w, id, "p", outs); err != nil {
		t.Fatal(err)
	}
	if done, err := st.FinishCampaign(ctx, w, id, now); err != nil || done {
		t.Fatalf("finished with held rows waiting: %v, %v", done, err)
	}
	for _, e := range []track.Event{{Kind: track.EventClick, Variant: 2, Contact: s.contacts[2]}, {Kind: track.EventClick, Variant: 2, Contact: s.contacts[2]},
		{Kind: track.EventClick, Variant: 2}, {Kind: track.EventClick, Variant: 1, Machine: true}, {Kind: track.EventOpen, Variant: 1},
		{Kind: track.EventOpen, Variant: 1, Machine: true}} {
		e.Workspace, e.Campaign, e.At = w, id, now
		if err := st.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	figs, err := st.VariantFigures(ctx, w, id)
	want := []campaign.VariantFigures{{Variant: "A", Recipients: 2, Sent: 2, Delivered: 2, Opens: 1, MachineOpens: 1},
		{Variant: "B", Recipients: 2, Sent: 2, Delivered: 2, Clicks: 3, UniqueClicks: 2}}
	if err != nil || len(figs) != 2 || figs[0] != want[0] || figs[1] != want[1] {
		t.Fatalf("figures = %+v, %v; want %+v", figs, err, want)
	}
	d := campaign.ABDecision{Winner: "B", Metric: campaign.MetricClicks, Reason: "test", Figures: figs, DecidedBy: "test", DecidedAt: now}
	n, err := st.DecideAB(ctx, w, id, 2, d)
	if err != nil || n != 2 {
		t.Fatalf("decide = %d, %v; want 2 released", n, err)
	}
	if _, err := st.DecideAB(ctx, w, id, 1, d); !errors.Is(err, campaign.ErrState) {
		t.Fatalf("second decision: %v, want ErrState", err)
	}
	c, _ = st.Campaign(ctx, w, id)
	if c.ABDecision == nil || c.ABDecision.Winner != "B" || c.ABDecision.Released != 2 || len(c.ABDecision.Figures) != 2 {
		t.Fatalf("decision = %+v", c.ABDecision)
	}
	rs, err = st.ClaimCampaignDeliveries(ctx, w, id, "p", 100, now)
	if err != nil || len(rs) != 2 || rs[0].Variant != 2 || rs[1].Variant != 2 {
		t.Fatalf("released rows = %+v, %v", rs, err)
	}
	es, err := st.AuditEntries(ctx, w, audit.Filter{Entity: "campaign"})
	if err != nil || len(es) == 0 || es[0].Action != "campaign.ab-decided" {
		t.Fatalf("the newest campaign audit entry is not the decision: %+v, %v", es, err)
	}
}
