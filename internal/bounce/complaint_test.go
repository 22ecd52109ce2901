package bounce_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestComplaintWithoutAddress: an ARF report that names no recipient (the provider redacted
// it) finds the contact through the original message's VERP return path or Message-ID;
// with only a Feedback-ID (unsigned: it names a campaign, not a recipient) it is stored as
// an unmatched complaint — an event without address or contact, counted toward no campaign,
// nothing suppressed — and its results and the kept message's outcome say so instead of
// naming a contact "".
func TestComplaintWithoutAddress(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		p := parsed{}
		e := newEnv(t, st, "arf", 3, p)
		key, err := st.SigningKey(e.ctx, e.s.WS, bounce.VERPKeyName)
		if err != nil {
			t.Fatal(err)
		}
		arf := func(o dsn.Original) *dsn.Report {
			return &dsn.Report{Kind: dsn.KindComplaint, FeedbackType: "abuse", Original: o}
		}
		p["verp"] = arf(dsn.Original{ReturnPath: deliver.VERPAddress(key, "b.example.org", e.s.WS, e.s.Campaign, e.s.Contacts[0])})
		p["mid"] = arf(dsn.Original{MessageID: "<m1@arf>"})
		p["fbid"] = arf(dsn.Original{FeedbackID: fmt.Sprintf("c%d:ws%d:newsletter:clearlist", e.s.Campaign, e.s.WS)})
		rs, err := e.svc.IngestBatch(e.ctx, [][]byte{[]byte("verp"), []byte("mid"), []byte("fbid")}, bounce.ViaSMTP)
		if err != nil {
			t.Fatal(err)
		}
		for k, r := range rs[:2] {
			if len(r.Events) != 1 || r.Events[0].Action != "suppressed" || r.Events[0].Address != e.s.Addresses[k] || r.Events[0].ContactID != e.s.Contacts[k] {
				t.Errorf("complaint %d without address = %+v; want the contact found and suppressed", k, r)
			}
			if e.contactable(t, e.s.Addresses[k]) {
				t.Errorf("%s contactable after a complaint about its message", e.s.Addresses[k])
			}
		}
		u := rs[2]
		if u.Ignored != "" || len(u.Events) != 1 || !strings.HasPrefix(u.Events[0].Action, "unmatched complaint") || u.Events[0].Address != "" || u.Events[0].ContactID != 0 {
			t.Fatalf("complaint with only a Feedback-ID = %+v; want an unmatched complaint", u)
		}
		if !e.contactable(t, e.s.Addresses[2]) {
			t.Error("an unmatched complaint suppressed someone")
		}
		evs, err := e.svc.Events(e.ctx, e.s.WS, bounce.EventFilter{Limit: 10})
		if err != nil || len(evs) != 3 {
			t.Fatalf("events = %+v, %v", evs, err)
		}
		un := evs[0] // newest first
		if un.Kind != bounce.KindComplained || un.Address != "" || un.ContactID != 0 || un.CampaignID != 0 ||
			!strings.HasPrefix(un.Action, "unmatched complaint") || !strings.Contains(un.Detail, fmt.Sprintf("campaign %d", e.s.Campaign)) {
			t.Errorf("unmatched complaint stored as %+v", un)
		}
		var outcome string
		if err := st.DB().QueryRowContext(e.ctx, fmt.Sprintf(`SELECT outcome FROM inbound_messages WHERE id = %d`, u.MessageID)).Scan(&outcome); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(outcome, ":") || !strings.Contains(outcome, "unmatched complaint") {
			t.Errorf("kept message's outcome = %q", outcome)
		}
	})
}
