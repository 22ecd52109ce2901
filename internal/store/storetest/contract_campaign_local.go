package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testCampaignLocalTimes: the local time is stored with the campaign; the queued
// deliveries come with their contact's timezone attribute and country, and their due times
// are set (only while queued).
func testCampaignLocalTimes(t *testing.T, st *store.Store) {
	ctx := context.Background()
	s := seedCampaign(t, st, "localtime", 0)
	w, id := s.ws, s.c.ID
	s.c.LocalTime = "09:30"
	if err := st.UpdateCampaign(ctx, s.c, []campaign.State{campaign.Draft}); err != nil {
		t.Fatal(err)
	}
	if c, err := st.Campaign(ctx, w, id); err != nil || c.LocalTime != "09:30" {
		t.Fatalf("local time = %q, %v", c.LocalTime, err)
	}
	src := source(t, st, w)
	var ids []int64
	for _, p := range []struct {
		addr, country string
		attrs         map[string]any
	}{{"a@example.com", "JP", map[string]any{"timezone": "Asia/Tokyo"}}, {"b@example.com", "FR", nil}, {"c@example.com", "", nil}} {
		c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w, Email: p.addr, EmailCanonical: p.addr, Country: p.country,
			Attrs: p.attrs, FirstSourceID: src.ID, Status: contact.StatusActive}, []int64{s.list})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	if err := st.WriteDeliveries(ctx, w, id, true, []campaign.Snapshot{{ContactID: ids[0], State: campaign.Queued},
		{ContactID: ids[1], State: campaign.Queued}, {ContactID: ids[2], State: campaign.Excluded, Reason: "x"}}, now); err != nil {
		t.Fatal(err)
	}
	zs, err := st.QueuedZones(ctx, w, id, 0, 10)
	want := []campaign.ZoneOf{{ContactID: ids[0], TimeZone: "Asia/Tokyo", Country: "JP"}, {ContactID: ids[1], Country: "FR"}}
	if err != nil || len(zs) != 2 || zs[0] != want[0] || zs[1] != want[1] {
		t.Fatalf("zones = %+v, %v; want %+v", zs, err, want)
	}
	if page, _ := st.QueuedZones(ctx, w, id, ids[0], 10); len(page) != 1 || page[0].ContactID != ids[1] {
		t.Errorf("page after %d = %+v", ids[0], page)
	}
	later := now.Add(5 * time.Hour)
	if err := st.SetNextAttempts(ctx, w, id, []campaign.Due{{ContactID: ids[0], At: later}, {ContactID: ids[1], At: later.Add(time.Hour)},
		{ContactID: ids[2], At: now}}); err != nil {
		t.Fatal(err)
	}
	if next, ok, err := st.NextAttempt(ctx, w, id); err != nil || !ok || !next.Equal(later) {
		t.Errorf("next attempt = %s, %v, %v; want %s", next, ok, err, later)
	}
	if got, _ := st.ClaimCampaignDeliveries(ctx, w, id, "p", 10, later.Add(-time.Second)); len(got) != 0 {
		t.Errorf("claimed before the due time: %+v", got)
	}
	if got, _ := st.ClaimCampaignDeliveries(ctx, w, id, "p", 10, later); len(got) != 1 || got[0].ContactID != ids[0] {
		t.Errorf("claimed at the first due time: %+v", got)
	}
}
