package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store"
)

// The store is the campaign service's Store.
var _ campaign.Store = (*store.Store)(nil)

// campaignSeed is a workspace with a list of n contacts and a draft campaign on it.
type campaignSeed struct {
	ws       int64
	list     int64
	contacts []int64
	c        campaign.Campaign
}

func seedCampaign(t *testing.T, st *store.Store, name string, n int) campaignSeed {
	t.Helper()
	ctx := context.Background()
	w := ws(t, st, name)
	src := source(t, st, w)
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "audience"})
	if err != nil {
		t.Fatal(err)
	}
	s := campaignSeed{ws: w, list: l.ID}
	for i := range n {
		c, err := st.CreateContact(ctx, newContact(w, src.ID, fmt.Sprintf("r%03d@example.com", i)), []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}
		s.contacts = append(s.contacts, c.ID)
	}
	now := time.Now().UTC().Truncate(time.Second)
	s.c, err = st.CreateCampaign(ctx, campaign.Campaign{WorkspaceID: w, Name: "spring", Purpose: "newsletter", Channel: "email",
		Lists: []int64{l.ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"},
		State: campaign.Draft, Workers: 2, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testCampaigns: templates and campaigns are stored, read back, unique by name, audited;
// the state moves only from the states given; an edit is refused once sending.
func testCampaigns(t *testing.T, st *store.Store) {
	ctx := context.Background()
	s := seedCampaign(t, st, "camp", 0)
	now := time.Now().UTC().Truncate(time.Second)
	tp, err := st.CreateTemplate(ctx, campaign.Template{WorkspaceID: s.ws, Name: "welcome",
		Content: campaign.Content{Subject: "Hi {{.Contact.name}}", HTML: "<p>hi</p>"}, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateTemplate(ctx, campaign.Template{WorkspaceID: s.ws, Name: "welcome", CreatedAt: now, UpdatedAt: now}); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("second template of one name: %v, want ErrConflict", err)
	}
	tp.Text = "hello"
	if err := st.UpdateTemplate(ctx, tp); err != nil {
		t.Fatal(err)
	}
	got, err := st.TemplateByName(ctx, s.ws, "welcome")
	if err != nil || got.Text != "hello" || got.ID != tp.ID {
		t.Fatalf("template by name = %+v, %v", got, err)
	}
	if _, err := st.Template(ctx, s.ws+1000, tp.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("template of another workspace: %v", err)
	}
	if ts, err := st.Templates(ctx, s.ws); err != nil || len(ts) != 1 {
		t.Fatalf("templates = %v, %v", ts, err)
	}

	c := s.c
	c.TemplateID, c.Rate = tp.ID, 50
	if err := st.UpdateCampaign(ctx, c, []campaign.State{campaign.Draft}); err != nil {
		t.Fatal(err)
	}
	back, err := st.Campaign(ctx, s.ws, c.ID)
	if err != nil || back.TemplateID != tp.ID || back.Rate != 50 || len(back.Lists) != 1 || back.Lists[0] != s.list {
		t.Fatalf("campaign = %+v, %v", back, err)
	}
	if cs, err := st.Campaigns(ctx, s.ws); err != nil || len(cs) != 1 || len(cs[0].Lists) != 1 {
		t.Fatalf("campaigns = %+v, %v", cs, err)
	}
	bad := c
	bad.ID, bad.Name, bad.Lists = 0, "other", []int64{s.list + 1000}
	if _, err := st.CreateCampaign(ctx, bad); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("campaign on another workspace's list: %v, want ErrNotFound", err)
	}
	tr := campaign.Transition{WorkspaceID: s.ws, ID: c.ID, From: []campaign.State{campaign.Draft}, To: campaign.Sending,
		Action: "start", Counts: map[string]int{"queued": 3}, At: now}
	if err := st.TransitionCampaign(ctx, tr); err != nil {
		t.Fatal(err)
	}
	if err := st.TransitionCampaign(ctx, tr); !errors.Is(err, campaign.ErrState) {
		t.Fatalf("second start: %v, want ErrState", err)
	}
	if err := st.UpdateCampaign(ctx, c, []campaign.State{campaign.Draft}); !errors.Is(err, campaign.ErrState) {
		t.Fatalf("edit while sending: %v, want ErrState", err)
	}
	back, _ = st.Campaign(ctx, s.ws, c.ID)
	if state, err := st.CampaignState(ctx, s.ws, c.ID); err != nil || state != campaign.Sending {
		t.Fatalf("state = %q, %v", state, err)
	}
	if back.State != campaign.Sending || back.StartedAt == nil {
		t.Fatalf("after start: %+v", back)
	}
	sending, err := st.SendingCampaigns(ctx)
	if err != nil || !slices.ContainsFunc(sending, func(x campaign.Campaign) bool { return x.ID == c.ID }) {
		t.Fatalf("sending campaigns = %+v, %v", sending, err)
	}
	es, err := st.AuditEntries(ctx, s.ws, audit.Filter{Entity: "campaign"})
	if err != nil || len(es) != 3 || es[0].Action != "campaign.start" {
		t.Fatalf("audit entries = %+v, %v; want create, update, start", es, err)
	}
}

// testCampaignDeliveries: the snapshot, claims, outcomes, unknowns, requeues, counts and
// the finish, on the send log.
func testCampaignDeliveries(t *testing.T, st *store.Store) {
	ctx := context.Background()
	s := seedCampaign(t, st, "sendlog", 5)
	w, id := s.ws, s.c.ID
	now := time.Now().UTC().Truncate(time.Second)
	snap := []campaign.Snapshot{{ContactID: s.contacts[0], State: campaign.Queued, Basis: "consent"},
		{ContactID: s.contacts[1], State: campaign.Queued, Basis: "legitimate interest", Provenance: "from a trade fair."},
		{ContactID: s.contacts[2], State: campaign.Queued}, {ContactID: s.contacts[3], State: campaign.Queued},
		{ContactID: s.contacts[4], State: campaign.Excluded, Reason: "con-01: no consent"}}
	// A first start that broke off, then the full one: reset drops the first's rows.
	if err := st.WriteDeliveries(ctx, w, id, true, snap[:2], now); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteDeliveries(ctx, w, id, true, snap[:3], now); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteDeliveries(ctx, w, id, false, snap[3:], now); err != nil {
		t.Fatal(err)
	}
	counts, err := st.DeliveryCounts(ctx, w, id)
	if err != nil || counts.ByState[campaign.Queued] != 4 || counts.Excluded["con-01: no consent"] != 1 {
		t.Fatalf("counts = %+v, %v", counts, err)
	}
	if err := st.TransitionCampaign(ctx, campaign.Transition{WorkspaceID: w, ID: id, From: []campaign.State{campaign.Draft},
		To: campaign.Sending, Action: "start", At: now}); err != nil {
		t.Fatal(err)
	}
	if err := st.WriteDeliveries(ctx, w, id, true, snap[:1], now); !errors.Is(err, campaign.ErrState) {
		t.Fatalf("a snapshot of a sending campaign: %v, want ErrState (it would reset the send log)", err)
	}
	got, err := st.ClaimCampaignDeliveries(ctx, w, id, "proc-a", 3, now)
	if err != nil || len(got) != 3 || got[0].Address != "r000@example.com" || got[0].Status != "active" || len(got[0].Attrs) == 0 {
		t.Fatalf("claim = %+v, %v", got, err)
	}
	for _, r := range got { // the basis and provenance written by the snapshot come with the claim
		want := map[int64][2]string{s.contacts[0]: {"consent", ""}, s.contacts[1]: {"legitimate interest", "from a trade fair."}}[r.ContactID]
		if r.Basis != want[0] || r.Provenance != want[1] {
			t.Errorf("contact %d: basis %q, provenance %q; want %q", r.ContactID, r.Basis, r.Provenance, want)
		}
	}
	rest, err := st.ClaimCampaignDeliveries(ctx, w, id, "proc-b", 3, now)
	if err != nil || len(rest) != 1 || rest[0].ContactID != s.contacts[3] {
		t.Fatalf("second claim = %+v, %v; want the one left", rest, err)
	}
	if done, _ := st.FinishCampaign(ctx, w, id, now); done {
		t.Fatal("finished with deliveries claimed")
	}
	// Only the claim's own claimed rows move to in flight.
	if n, err := st.MarkInFlight(ctx, w, id, "proc-a", nil, []int64{rest[0].ContactID}, now); err != nil || n != 0 {
		t.Fatalf("another claim's row marked in flight: %d, %v", n, err)
	}
	if n, err := st.MarkInFlight(ctx, w, id, "proc-b", nil, []int64{rest[0].ContactID}, now); err != nil || n != 1 {
		t.Fatalf("mark in flight = %d, %v", n, err)
	}
	if done, _ := st.FinishCampaign(ctx, w, id, now); done {
		t.Fatal("finished with deliveries in flight")
	}
	claims, err := st.SendingClaims(ctx, w, id)
	if err != nil || len(claims) != 2 {
		t.Fatalf("claims = %v, %v", claims, err)
	}
	later := now.Add(time.Minute)
	outs := []campaign.Outcome{
		{ContactID: got[0].ContactID, State: campaign.Sent, MessageID: "m1@x", Attempted: true, At: now},
		{ContactID: got[1].ContactID, State: campaign.Failed, SMTPCode: 550, Reason: "no such user", Attempted: true, At: now},
		{ContactID: got[2].ContactID, State: campaign.Queued, SMTPCode: 451, Attempted: true, NextAttemptAt: later, At: now},
		{ContactID: rest[0].ContactID, State: campaign.Sent, MessageID: "wrong-claim", At: now}, // not proc-a's: ignored
	}
	if err := st.RecordOutcomes(ctx, w, id, "proc-a", outs); err != nil {
		t.Fatal(err)
	}
	if next, ok, err := st.NextAttempt(ctx, w, id); err != nil || !ok || !next.Equal(later) {
		t.Fatalf("next attempt = %v, %v, %v; want %v", next, ok, err, later)
	}
	if again, _ := st.ClaimCampaignDeliveries(ctx, w, id, "proc-a", 10, now); len(again) != 0 {
		t.Fatalf("claimed a delivery before its next attempt: %+v", again)
	}
	// proc-b died holding its row: it becomes unknown, and is not claimed again.
	if n, err := st.MarkUnknown(ctx, w, id, []string{"proc-b"}, now); err != nil || n != 1 {
		t.Fatalf("mark unknown = %d, %v", n, err)
	}
	retry, err := st.ClaimCampaignDeliveries(ctx, w, id, "proc-a", 10, later)
	if err != nil || len(retry) != 1 || retry[0].Attempts != 1 {
		t.Fatalf("retry claim = %+v, %v", retry, err)
	}
	if err := st.RecordOutcomes(ctx, w, id, "proc-a", []campaign.Outcome{{ContactID: retry[0].ContactID, State: campaign.Sent,
		MessageID: "m3@x", Attempted: true, At: later}}); err != nil {
		t.Fatal(err)
	}
	if done, err := st.FinishCampaign(ctx, w, id, later); err != nil || !done {
		t.Fatalf("finish = %v, %v", done, err)
	}
	counts, _ = st.DeliveryCounts(ctx, w, id)
	want := map[campaign.DeliveryState]int{campaign.Sent: 2, campaign.Failed: 1, campaign.Unknown: 1, campaign.Excluded: 1}
	for k, v := range want {
		if counts.ByState[k] != v {
			t.Fatalf("counts = %+v, want %v", counts.ByState, want)
		}
	}
	unk, err := st.CampaignDeliveries(ctx, w, id, campaign.DeliveryFilter{State: campaign.Unknown})
	if err != nil || len(unk) != 1 || unk[0].ContactID != s.contacts[3] || unk[0].Reason == "" {
		t.Fatalf("unknown list = %+v, %v", unk, err)
	}
	all, _ := st.CampaignDeliveries(ctx, w, id, campaign.DeliveryFilter{})
	if len(all) != 5 || all[0].MessageID != "m1@x" || all[0].SentAt == nil || all[0].Attempts != 1 {
		t.Fatalf("send log = %+v", all)
	}
	if win, err := outcomeWindow(ctx, st, w, id, now.Add(-time.Hour)); err != nil || win.Finished != 3 || win.Hard != 1 || win.Complaints != 0 {
		t.Fatalf("window = %+v, %v", win, err)
	}
	if n, err := st.RequeueDeliveries(ctx, w, id, campaign.Unknown, later); err != nil || n != 1 {
		t.Fatalf("requeue unknown = %d, %v", n, err)
	}
	if _, err := st.CampaignDeliveries(ctx, w+1000, id, campaign.DeliveryFilter{}); err != nil {
		t.Fatal(err)
	}
	if other, _ := st.ClaimCampaignDeliveries(ctx, w+1000, id, "x", 10, later); len(other) != 0 {
		t.Fatal("another workspace claimed this campaign's deliveries")
	}
}

// testCampaignClaimRace: workers claiming at once take disjoint rows, every row once.
func testCampaignClaimRace(t *testing.T, st *store.Store) {
	ctx := context.Background()
	s := seedCampaign(t, st, "race", 60)
	now := time.Now().UTC()
	snap := make([]campaign.Snapshot, len(s.contacts))
	for i, c := range s.contacts {
		snap[i] = campaign.Snapshot{ContactID: c, State: campaign.Queued}
	}
	if err := st.WriteDeliveries(ctx, s.ws, s.c.ID, true, snap, now); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				rs, err := st.ClaimCampaignDeliveries(ctx, s.ws, s.c.ID, fmt.Sprintf("w%d", w), 7, now)
				if err != nil {
					t.Error(err)
					return
				}
				if len(rs) == 0 {
					return
				}
				mu.Lock()
				for _, r := range rs {
					seen[r.ContactID]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(seen) != len(s.contacts) {
		t.Fatalf("claimed %d distinct rows, want %d", len(seen), len(s.contacts))
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("contact %d claimed %d times", id, n)
		}
	}
}

// testSendBuckets: the shared token bucket grants its burst at once, then makes callers wait
// at its rate; tokens given back are taken again without waiting.
func testSendBuckets(t *testing.T, st *store.Store) {
	ctx := context.Background()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key := fmt.Sprintf("test:%d", time.Now().UnixNano())
	if w, err := st.TakeTokens(ctx, key, 10, 10, 10, at); err != nil || w != 0 {
		t.Fatalf("first burst: wait %v, %v", w, err)
	}
	if w, _ := st.TakeTokens(ctx, key, 10, 10, 10, at); w != time.Second {
		t.Fatalf("second burst at once: wait %v, want 1s", w)
	}
	if w, _ := st.TakeTokens(ctx, key, 10, 10, -10, at); w != 0 {
		t.Fatalf("giving back: wait %v", w)
	}
	if w, _ := st.TakeTokens(ctx, key, 10, 10, 5, at.Add(time.Second)); w != 0 {
		t.Fatalf("after a second's refill: wait %v, want 0", w)
	}
	if _, err := st.TakeTokens(ctx, key, 0, 10, 1, at); err == nil {
		t.Fatal("a zero rate was accepted")
	}
}

// testUpdateBucket: deliver.SharedLimiter's store door. A new key starts from the zero
// state, the saved state comes back, and concurrent takers (several connections, as several
// processes would be) never lose an update: a shared limiter with no refill hands out
// exactly its burst without waiting, then makes every later taker wait.
func testUpdateBucket(t *testing.T, st *store.Store) {
	ctx := context.Background()
	key := fmt.Sprintf("domain:test%d.example", time.Now().UnixNano())
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var first deliver.BucketState
	if err := st.UpdateBucket(ctx, key, func(s deliver.BucketState) deliver.BucketState {
		first = s
		return deliver.BucketState{Tokens: 3.5, Updated: at}
	}); err != nil {
		t.Fatal(err)
	}
	if first != (deliver.BucketState{}) {
		t.Fatalf("a new bucket's state = %+v, want zero", first)
	}
	var got deliver.BucketState
	st.UpdateBucket(ctx, key, func(s deliver.BucketState) deliver.BucketState { got = s; return s })
	if got.Tokens != 3.5 || !got.Updated.Equal(at) {
		t.Fatalf("saved state = %+v, want 3.5 at %v", got, at)
	}
	// 40 takers at one frozen instant from a bucket of burst 10: 10 go at once, 30 wait.
	key2 := key + ".2"
	var mu sync.Mutex
	waits := 0
	var wg sync.WaitGroup
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := st.UpdateBucket(ctx, key2, func(s deliver.BucketState) deliver.BucketState {
				s, w := deliver.TakeToken(s, at, 1, 10)
				if w > 0 {
					mu.Lock()
					waits++
					mu.Unlock()
				}
				return s
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st.UpdateBucket(ctx, key2, func(s deliver.BucketState) deliver.BucketState { got = s; return s })
	if waits != 30 || got.Tokens != -30 {
		t.Fatalf("40 takers of a burst of 10: %d waited, tokens %v; want 30 and -30 (an update was lost)", waits, got.Tokens)
	}
}
