package storetest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/transactional"
)

// The store is the bounce service's Store.
var _ bounce.Store = (*store.Store)(nil)

// SentCampaign is a workspace whose campaign was sent to n contacts (r000@example.com, …),
// each delivery with the Message-ID m<i>@<workspace name>.
type SentCampaign struct {
	WS, Campaign int64
	Contacts     []int64
	Addresses    []string
}

// SeedSentCampaign makes a workspace of the name with a campaign sent to n contacts, through
// the send log as the workers write it.
func SeedSentCampaign(t testing.TB, st *store.Store, name string, n int) SentCampaign {
	t.Helper()
	ctx := context.Background()
	w, err := st.EnsureWorkspace(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w.ID, Type: "api", Description: "test",
		Evidence: map[string]string{"form_url": "https://example.com/f"}})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: w.ID, Name: "audience"})
	if err != nil {
		t.Fatal(err)
	}
	s := SentCampaign{WS: w.ID}
	now := time.Now().UTC().Truncate(time.Second)
	var snap []campaign.Snapshot
	for i := range n {
		addr := fmt.Sprintf("r%03d@example.com", i)
		c, err := st.CreateContact(ctx, newContact(w.ID, src.ID, addr), []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}
		s.Contacts, s.Addresses = append(s.Contacts, c.ID), append(s.Addresses, addr)
		snap = append(snap, campaign.Snapshot{ContactID: c.ID, State: campaign.Queued, Basis: "consent"})
	}
	c, err := st.CreateCampaign(ctx, campaign.Campaign{WorkspaceID: w.ID, Name: "spring", Purpose: "newsletter", Channel: "email",
		Lists: []int64{l.ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"},
		State: campaign.Draft, Workers: 1, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	s.Campaign = c.ID
	if err := st.WriteDeliveries(ctx, w.ID, c.ID, true, snap, now); err != nil {
		t.Fatal(err)
	}
	if err := st.TransitionCampaign(ctx, campaign.Transition{WorkspaceID: w.ID, ID: c.ID, From: []campaign.State{campaign.Draft},
		To: campaign.Sending, Action: "start", At: now}); err != nil {
		t.Fatal(err)
	}
	got, err := st.ClaimCampaignDeliveries(ctx, w.ID, c.ID, "seed", n, now)
	if err != nil || len(got) != n {
		t.Fatalf("claim %d deliveries: %d, %v", n, len(got), err)
	}
	outs := make([]campaign.Outcome, 0, n)
	for i, r := range got {
		outs = append(outs, campaign.Outcome{ContactID: r.ContactID, State: campaign.Sent,
			MessageID: fmt.Sprintf("m%d@%s", i, name), Attempted: true, At: now})
	}
	if err := st.RecordOutcomes(ctx, w.ID, c.ID, "seed", outs); err != nil {
		t.Fatal(err)
	}
	return s
}

// bounceEntry is a prepared do-not-contact entry for an address (what suppress prepares).
func bounceEntry(addr string, reason suppress.Reason, at time.Time) suppress.Suppression {
	h := sha256.Sum256([]byte(addr))
	return suppress.Suppression{Kind: "email", Value: addr, Hash: h[:], ScopeChannel: "email", Reason: string(reason),
		ChannelIn: "bounce", RecordedBy: bounce.RecordedBy, ReceivedAt: at, Deadline: at.Add(24 * time.Hour)}
}

// testBounce: events are stored with what they did in one transaction with their audit
// entries; a provider id is recorded once per workspace and source; a hard bounce marks
// only an active contact bounced; sent messages are found by contact, address, Message-ID
// and transactional id, never across workspaces; kept messages are recognised by their bytes
// and pruned by age; reviews are decided once.
func testBounce(t *testing.T, st *store.Store) {
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.Job, Name: "bounce"})
	s := SeedSentCampaign(t, st, "bnc", 3)
	other := SeedSentCampaign(t, st, "bnc-other", 1)
	at := time.Now().UTC().Truncate(time.Second)

	// Finding what was sent.
	if got, err := st.SentTo(ctx, s.WS, s.Campaign, s.Contacts[1]); err != nil || got.Address != s.Addresses[1] {
		t.Fatalf("SentTo = %+v, %v", got, err)
	}
	if _, err := st.SentTo(ctx, other.WS, s.Campaign, s.Contacts[1]); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SentTo another workspace's campaign: %v", err)
	}
	if got, err := st.SentToAddress(ctx, s.WS, s.Campaign, "R002@Example.com", "r002@example.com"); err != nil || got.ContactID != s.Contacts[2] {
		t.Fatalf("SentToAddress = %+v, %v", got, err)
	}
	if got, err := st.SentToAddress(ctx, s.WS, 0, "r002@example.com", "r002@example.com"); err != nil || got.ContactID != s.Contacts[2] || got.CampaignID != 0 {
		t.Fatalf("SentToAddress without campaign = %+v, %v", got, err)
	}
	if _, err := st.SentToAddress(ctx, s.WS, s.Campaign, "nobody@example.com", "nobody@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SentToAddress of an unknown address: %v", err)
	}
	byMID, err := st.SentByMessageID(ctx, 0, "m0@bnc")
	if err != nil || byMID.WorkspaceID != s.WS || byMID.CampaignID != s.Campaign || byMID.ContactID == 0 {
		t.Fatalf("SentByMessageID = %+v, %v", byMID, err)
	}
	if _, err := st.SentByMessageID(ctx, other.WS, "m0@bnc"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("SentByMessageID in another workspace: %v", err)
	}
	tx, err := st.RecordTransactional(ctx, transactional.Send{WorkspaceID: s.WS, Address: s.Addresses[0], Purpose: "receipts",
		State: transactional.StateSending, CreatedAt: at})
	if err != nil {
		t.Fatal(err)
	}
	tx.State, tx.MessageID, tx.SentAt = transactional.StateSent, "t1.1@shop.example", &at
	if err := st.FinishTransactional(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if got, err := st.SentByMessageID(ctx, 0, "t1.1@shop.example"); err != nil || got.TransactionalID != tx.ID || got.ContactID != s.Contacts[0] {
		t.Fatalf("SentByMessageID of a transactional message = %+v, %v", got, err)
	}
	if got, err := st.TransactionalSent(ctx, s.WS, tx.ID); err != nil || got.Address != s.Addresses[0] {
		t.Fatalf("TransactionalSent = %+v, %v", got, err)
	}
	if _, err := st.TransactionalSent(ctx, other.WS, tx.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("TransactionalSent of another workspace: %v", err)
	}

	// A hard bounce: event, contact bounced, entry, audit — once.
	hard := bounce.Change{Event: bounce.Stored{WorkspaceID: s.WS, Kind: bounce.KindBounced, Reason: "userunknown", Hard: true,
		Status: "5.1.1", Via: bounce.ViaSES, ExternalID: "ses-1", Address: s.Addresses[1], CampaignID: s.Campaign,
		ContactID: s.Contacts[1], Action: "undeliverable", At: at}, MarkBounced: true,
		Suppress: []suppress.Suppression{bounceEntry(s.Addresses[1], suppress.ReasonHardBounce, at)}}
	rec, dup, err := st.RecordBounceEvent(ctx, hard)
	if err != nil || dup || rec.EventID == 0 || !rec.Bounced || len(rec.Added) != 1 {
		t.Fatalf("hard bounce = %+v, dup %v, %v", rec, dup, err)
	}
	if c, _ := st.Contact(ctx, s.WS, s.Contacts[1]); c.Status != contact.StatusBounced {
		t.Fatalf("contact status = %s, want bounced", c.Status)
	}
	if _, dup, err := st.RecordBounceEvent(ctx, hard); err != nil || !dup {
		t.Fatalf("replayed provider event: dup %v, %v", dup, err)
	}
	other1 := hard
	other1.Event.WorkspaceID, other1.Suppress, other1.MarkBounced, other1.Event.ContactID = other.WS, nil, false, 0
	if _, dup, err := st.RecordBounceEvent(ctx, other1); err != nil || dup {
		t.Fatalf("the same provider id in another workspace: dup %v, %v", dup, err)
	}
	// An unsubscribed contact stays unsubscribed (a bounce must not lift a do-not-contact status).
	c2, _ := st.Contact(ctx, s.WS, s.Contacts[2])
	c2.Status = contact.StatusUnsubscribed
	if _, err := st.UpdateContactAs(ctx, c2, 0, nil, contact.StatusChangeBy{By: "test"}); err != nil {
		t.Fatal(err)
	}
	h2 := bounce.Change{Event: bounce.Stored{WorkspaceID: s.WS, Kind: bounce.KindBounced, Hard: true, Address: s.Addresses[2],
		CampaignID: s.Campaign, ContactID: s.Contacts[2], Action: "undeliverable", At: at}, MarkBounced: true}
	if rec, _, err := st.RecordBounceEvent(ctx, h2); err != nil || rec.Bounced {
		t.Fatalf("bounce of an unsubscribed contact = %+v, %v", rec, err)
	}
	if c, _ := st.Contact(ctx, s.WS, s.Contacts[2]); c.Status != contact.StatusUnsubscribed {
		t.Fatalf("status = %s, want unsubscribed kept", c.Status)
	}
	if es, err := st.AuditEntries(ctx, s.WS, audit.Filter{Entity: "event"}); err != nil || len(es) != 2 || es[0].Action != "bounce.event" {
		t.Fatalf("event audit entries = %+v, %v", es, err)
	}

	// Soft bounces are counted per address and window; complaints count in the guard's window.
	for i := range 2 {
		soft := bounce.Change{Event: bounce.Stored{WorkspaceID: s.WS, Kind: bounce.KindBounced, Reason: "mailboxfull",
			Address: s.Addresses[0], CampaignID: s.Campaign, Action: "soft-bounce", At: at.Add(time.Duration(-i) * 48 * time.Hour)}}
		if _, _, err := st.RecordBounceEvent(ctx, soft); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.SoftBounces(ctx, s.WS, s.Addresses[0], at.Add(-24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("soft bounces in a day = %d, %v", n, err)
	}
	if n, _ := st.SoftBounces(ctx, s.WS, s.Addresses[0], at.Add(-72*time.Hour)); n != 2 {
		t.Fatalf("soft bounces in three days = %d", n)
	}
	if n, _ := st.SoftBounces(ctx, other.WS, s.Addresses[0], at.Add(-72*time.Hour)); n != 0 {
		t.Fatalf("another workspace's soft bounces = %d", n)
	}
	if _, _, err := st.RecordBounceEvent(ctx, bounce.Change{Event: bounce.Stored{WorkspaceID: s.WS, Kind: bounce.KindComplained,
		Address: s.Addresses[0], CampaignID: s.Campaign, ContactID: s.Contacts[0], Action: "suppressed", At: at}}); err != nil {
		t.Fatal(err)
	}
	win, err := outcomeWindow(ctx, st, s.WS, s.Campaign, at.Add(-time.Hour))
	if err != nil || win.Finished != 3 || win.Hard != 2 || win.Complaints != 1 {
		t.Fatalf("guard window = %+v, %v; want 3 finished, 2 hard (reported), 1 complaint", win, err)
	}

	// A reply queued for review, decided once.
	rec, _, err = st.RecordBounceEvent(ctx, bounce.Change{Event: bounce.Stored{WorkspaceID: s.WS, Kind: bounce.KindReplied,
		Address: s.Addresses[0], CampaignID: s.Campaign, ContactID: s.Contacts[0], Action: "review", At: at},
		Review: &bounce.Review{CampaignID: s.Campaign, ContactID: s.Contacts[0], Address: s.Addresses[0], Excerpt: "stop it",
			Matched: "stop", ReceivedAt: at}})
	if err != nil || rec.ReviewID == 0 {
		t.Fatalf("review = %+v, %v", rec, err)
	}
	if rs, err := st.BounceReviews(ctx, s.WS, true); err != nil || len(rs) != 1 || rs[0].EventID != rec.EventID || rs[0].State != bounce.ReviewPending {
		t.Fatalf("pending reviews = %+v, %v", rs, err)
	}
	if _, err := st.BounceReview(ctx, other.WS, rec.ReviewID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("another workspace's review: %v", err)
	}
	r, added, err := st.DecideBounceReview(ctx, s.WS, rec.ReviewID, bounce.ReviewStopped, "ann",
		[]suppress.Suppression{bounceEntry(s.Addresses[0], suppress.ReasonRequestEmail, at)})
	if err != nil || r.State != bounce.ReviewStopped || r.DecidedAt == nil || len(added) != 1 {
		t.Fatalf("decide = %+v, %v, %v", r, added, err)
	}
	if _, _, err := st.DecideBounceReview(ctx, s.WS, rec.ReviewID, bounce.ReviewDismissed, "bob", nil); !errors.Is(err, bounce.ErrDecided) {
		t.Fatalf("second decision: %v, want ErrDecided", err)
	}
	if _, _, err := st.DecideBounceReview(ctx, other.WS, rec.ReviewID, bounce.ReviewDismissed, "bob", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("decision in another workspace: %v, want ErrNotFound", err)
	}
	if rs, _ := st.BounceReviews(ctx, s.WS, false); len(rs) != 1 {
		t.Fatalf("all reviews = %+v", rs)
	}
	if rs, _ := st.BounceReviews(ctx, s.WS, true); len(rs) != 0 {
		t.Fatalf("pending after the decision = %+v", rs)
	}

	// Listing, newest first, by campaign, paged; never another workspace's.
	evs, err := st.BounceEvents(ctx, s.WS, bounce.EventFilter{Limit: 100})
	if err != nil || len(evs) != 6 || evs[0].Kind != bounce.KindReplied || evs[5].ExternalID != "ses-1" || evs[5].ContactID != s.Contacts[1] {
		t.Fatalf("events = %+v, %v", evs, err)
	}
	page, _ := st.BounceEvents(ctx, s.WS, bounce.EventFilter{CampaignID: s.Campaign, Before: evs[1].ID, Limit: 2})
	if len(page) != 2 || page[0].ID != evs[2].ID {
		t.Fatalf("page = %+v", page)
	}
	if none, _ := st.BounceEvents(ctx, s.WS, bounce.EventFilter{CampaignID: other.Campaign + 1000, Limit: 10}); len(none) != 0 {
		t.Fatalf("events of an unknown campaign = %+v", none)
	}

	// Kept messages: the same bytes are one message; pruned by age, per workspace, audited.
	raw := []byte("From: mailer-daemon@example.net\r\n\r\nbody")
	sum := sha256.Sum256(raw)
	id, dup, err := st.SaveInbound(ctx, bounce.Inbound{ReceivedAt: at.Add(-40 * 24 * time.Hour), Via: bounce.ViaSMTP, SHA256: sum[:], Raw: raw})
	if err != nil || dup || id == 0 {
		t.Fatalf("save = %d, %v, %v", id, dup, err)
	}
	if again, dup, err := st.SaveInbound(ctx, bounce.Inbound{ReceivedAt: at, Via: bounce.ViaFile, SHA256: sum[:], Raw: raw}); err != nil || !dup || again != id {
		t.Fatalf("save again = %d, %v, %v; want %d, dup", again, dup, err, id)
	}
	if err := st.FinishInbound(ctx, id, s.WS, "bounce", "r001@example.com: undeliverable"); err != nil {
		t.Fatal(err)
	}
	sum2 := sha256.Sum256([]byte("fresh"))
	if _, _, err := st.SaveInbound(ctx, bounce.Inbound{ReceivedAt: at, Via: bounce.ViaSMTP, SHA256: sum2[:], Raw: []byte("fresh")}); err != nil {
		t.Fatal(err)
	}
	if wss, err := st.InboundWorkspaces(ctx); err != nil || len(wss) < 2 {
		t.Fatalf("workspaces with kept messages = %v, %v", wss, err)
	}
	if n, err := st.PruneInbound(ctx, other.WS, at.Add(-30*24*time.Hour)); err != nil || n != 0 {
		t.Fatalf("prune another workspace = %d, %v", n, err)
	}
	if n, err := st.PruneInbound(ctx, s.WS, at.Add(-30*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("prune = %d, %v", n, err)
	}
	if es, _ := st.AuditEntries(ctx, s.WS, audit.Filter{Entity: "inbound_message"}); len(es) != 1 || es[0].Action != "bounce.prune" {
		t.Fatalf("prune audit = %+v", es)
	}
	if n, _ := st.PruneInbound(ctx, 0, at.Add(-30*24*time.Hour)); n != 0 {
		t.Fatalf("pruned a fresh message: %d", n)
	}
}
