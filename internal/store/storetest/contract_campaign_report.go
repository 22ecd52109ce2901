package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/report"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/track"
)

// The store is the report service's Store.
var _ report.Store = (*store.Store)(nil)

// testCampaignReport: the report per domain, per hour and the members of each bucket, from
// the send log and the events, on both engines; machines' events and other campaigns'
// stay out.
func testCampaignReport(t *testing.T, st *store.Store) {
	ctx := context.Background()
	s := seedCampaign(t, st, "report", 4)
	w, id := s.ws, s.c.ID
	src := source(t, st, w)
	for _, addr := range []string{"x@Other.example", "y@other.example"} {
		c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w, Email: addr, EmailCanonical: addr,
			FirstSourceID: src.ID, Status: contact.StatusActive}, []int64{s.list})
		if err != nil {
			t.Fatal(err)
		}
		s.contacts = append(s.contacts, c.ID)
	}
	c := s.contacts
	now := time.Date(2026, 5, 1, 10, 20, 30, 0, time.UTC)
	var snap []campaign.Snapshot
	for _, id := range c[:5] {
		snap = append(snap, campaign.Snapshot{ContactID: id, State: campaign.Queued})
	}
	snap = append(snap, campaign.Snapshot{ContactID: c[5], State: campaign.Excluded, Reason: "sup-01: suppressed"})
	if err := st.WriteDeliveries(ctx, w, id, true, snap, now); err != nil {
		t.Fatal(err)
	}
	got, err := st.ClaimCampaignDeliveries(ctx, w, id, "proc", 5, now)
	if err != nil || len(got) != 5 {
		t.Fatalf("claim = %d, %v", len(got), err)
	}
	later := now.Add(time.Hour)
	if err := st.RecordOutcomes(ctx, w, id, "proc", []campaign.Outcome{
		{ContactID: c[0], State: campaign.Sent, MessageID: "m0@x", Attempted: true, At: now},
		{ContactID: c[1], State: campaign.Sent, MessageID: "m1@x", Attempted: true, At: later},
		{ContactID: c[2], State: campaign.Failed, SMTPCode: 550, Reason: "no such user", Attempted: true, At: now},
		{ContactID: c[3], State: campaign.Unknown, Attempted: true, At: now},
		{ContactID: c[4], State: campaign.Queued, SMTPCode: 451, Attempted: true, NextAttemptAt: later, At: now},
	}); err != nil {
		t.Fatal(err)
	}
	for _, e := range []track.Event{
		{Contact: c[0], Kind: track.EventOpen, At: later},
		{Contact: c[0], Kind: track.EventOpen, At: later.Add(time.Minute)},
		{Contact: c[1], Kind: track.EventOpen, At: later, Machine: true, Rule: "scanner"},
		{Kind: track.EventOpen, At: later}, // aggregate only: counted, nobody listed
		{Contact: c[0], Kind: track.EventClick, At: later},
		{Contact: c[1], Kind: track.EventUnsubscribed, At: later},
		{Contact: c[2], Kind: track.EventBounced, At: now},
		{Contact: c[0], Kind: track.EventOpen, At: later, Campaign: id + 1000}, // another campaign
	} {
		e.Workspace = w
		if e.Campaign == 0 {
			e.Campaign = id
		}
		if err := st.RecordEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
	}

	doms, err := st.ReportDomains(ctx, w, id)
	want := []report.Domain{
		{Domain: "example.com", Recipients: 4, Sent: 2, Failed: 1, Unknown: 1, Bounced: 1, Unsubscribed: 1, Opened: 1, Clicked: 1},
		{Domain: "other.example", Recipients: 2, Queued: 1, Excluded: 1},
	}
	if err != nil || !slices.Equal(doms, want) {
		t.Fatalf("domains = %+v, %v\nwant %+v", doms, err, want)
	}

	hours, err := st.ReportHours(ctx, w, id)
	h10, h11 := now.Truncate(time.Hour), later.Truncate(time.Hour)
	wantH := []report.Hour{{Hour: h10, Sent: 1, Failed: 1, Bounced: 1}, {Hour: h11, Sent: 1, Opened: 3, Clicked: 1, Unsubscribed: 1}}
	if err != nil || !slices.Equal(hours, wantH) {
		t.Fatalf("hours = %+v, %v\nwant %+v", hours, err, wantH)
	}

	members := func(b report.Bucket, after int64, limit int) []report.Member {
		t.Helper()
		ms, err := st.ReportMembers(ctx, w, id, report.Page{Bucket: b, After: after, Limit: limit})
		if err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		return ms
	}
	ids := func(ms []report.Member) []int64 {
		var out []int64
		for _, m := range ms {
			out = append(out, m.ContactID)
		}
		return out
	}
	for _, tc := range []struct {
		b    report.Bucket
		want []int64
	}{
		{report.Sent, c[0:2]}, {report.Delivered, c[0:2]}, {report.Failed, c[2:3]}, {report.Unknown, c[3:4]},
		{report.Queued, c[4:5]}, {report.Excluded, c[5:6]}, {report.Opened, c[0:1]}, {report.Clicked, c[0:1]},
		{report.Unsubscribed, c[1:2]}, {report.Bounced, c[2:3]}, {report.Complained, nil},
	} {
		if got := ids(members(tc.b, 0, 100)); !slices.Equal(got, tc.want) {
			t.Errorf("bucket %s = %v, want %v", tc.b, got, tc.want)
		}
	}
	// Pages: one at a time, after the last id seen.
	first := members(report.Sent, 0, 1)
	second := members(report.Sent, first[0].ContactID, 1)
	if len(first) != 1 || len(second) != 1 || second[0].ContactID != c[1] || second[0].MessageID != "m1@x" ||
		!second[0].At.Equal(later) || second[0].Address != "r001@example.com" {
		t.Errorf("pages of sent = %+v, %+v", first, second)
	}
	if f := members(report.Failed, 0, 10); f[0].SMTPCode != 550 || f[0].Reason != "no such user" {
		t.Errorf("failed member = %+v", f[0])
	}
	if e := members(report.Excluded, 0, 10); e[0].Reason != "sup-01: suppressed" || e[0].Address != "y@other.example" {
		t.Errorf("excluded member = %+v", e[0])
	}
	if u := members(report.Unsubscribed, 0, 10); u[0].Address != "r001@example.com" || !u[0].At.Equal(later) || u[0].State != "sent" {
		t.Errorf("unsubscribed member = %+v", u[0])
	}
	// Another workspace sees nothing of it.
	other := ws(t, st, "report-other")
	if d, err := st.ReportDomains(ctx, other, id); err != nil || len(d) != 0 {
		t.Errorf("another workspace's domains = %+v, %v", d, err)
	}
	if ms, err := st.ReportMembers(ctx, other, id, report.Page{Bucket: report.Opened, Limit: 10}); err != nil || len(ms) != 0 {
		t.Errorf("another workspace's openers = %+v, %v", ms, err)
	}
}
