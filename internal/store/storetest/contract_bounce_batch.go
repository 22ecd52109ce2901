package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// VerifyAuditChain fails the test when the workspace's audit trail does not chain.
func VerifyAuditChain(t testing.TB, st interface {
	EachAuditEntry(ctx context.Context, ws int64, fn func(audit.Entry) error) error
}, ws int64) int64 {
	t.Helper()
	var v audit.Verifier
	if err := st.EachAuditEntry(context.Background(), ws, func(e audit.Entry) error {
		if b := v.Add(e); b != nil {
			return b
		}
		return nil
	}); err != nil {
		t.Fatalf("audit trail of workspace %d: %v", ws, err)
	}
	return v.Len()
}

// testBounceBatch: a batch keeps its messages (the same bytes twice: the second is a
// duplicate whose events are not written), writes each event and what it does in order
// (a second hard bounce of a contact finds it bounced already, a replayed provider id is a
// duplicate, soft bounces are counted inside the transaction, counting the batch's own),
// sets each message's outcome, and chains the audit entries as one by one would.
func testBounceBatch(t *testing.T, st *store.Store) {
	ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.Job, Name: "bounce"})
	s := SeedSentCampaign(t, st, "batch", 3)
	at := time.Now().UTC().Truncate(time.Second)
	before := VerifyAuditChain(t, st, s.WS)
	hard := func(k int, ext string) bounce.Change {
		return bounce.Change{Event: bounce.Stored{WorkspaceID: s.WS, Kind: bounce.KindBounced, Reason: "userunknown", Hard: true,
			Status: "5.1.1", Via: bounce.ViaFile, ExternalID: ext, Address: s.Addresses[k], CampaignID: s.Campaign,
			ContactID: s.Contacts[k], Action: "undeliverable", At: at}, MarkBounced: true,
			Suppress: []suppress.Suppression{bounceEntry(s.Addresses[k], suppress.ReasonHardBounce, at)}}
	}
	soft := func() bounce.Change {
		return bounce.Change{Event: bounce.Stored{WorkspaceID: s.WS, Kind: bounce.KindBounced, Reason: "mailboxfull",
			Address: s.Addresses[2], CampaignID: s.Campaign, At: at},
			Suppress: []suppress.Suppression{bounceEntry(s.Addresses[2], suppress.ReasonHardBounce, at)},
			Soft: &bounce.Soft{Since: at.Add(-time.Hour), Decide: func(n int) (string, string, bool) {
				return fmt.Sprintf("soft %d", n+1), "limit", n+1 >= 2
			}}}
	}
	inbound := func(raw string) *bounce.Inbound {
		sum := sha256.Sum256([]byte(raw))
		return &bounce.Inbound{ReceivedAt: at, Via: bounce.ViaFile, SHA256: sum[:], Raw: []byte(raw)}
	}
	outcome := func(as []string) string { return fmt.Sprint(as) }
	msgs := []bounce.BatchMessage{
		{Inbound: inbound("one"), WorkspaceID: s.WS, Kind: "bounce", Changes: []bounce.Change{hard(0, "")}, Outcome: outcome},
		{Inbound: inbound("one"), WorkspaceID: s.WS, Kind: "bounce", Changes: []bounce.Change{hard(0, "")}, Outcome: outcome},
		{Inbound: inbound("two"), WorkspaceID: s.WS, Kind: "bounce", Changes: []bounce.Change{hard(0, ""), hard(1, "x1"), hard(1, "x1")}, Outcome: outcome},
		{Inbound: inbound("three"), Kind: "unknown", Ignored: "not one of ours"},
		{WorkspaceID: s.WS, Changes: []bounce.Change{soft(), soft()}},
	}
	got, err := st.RecordBounceBatch(ctx, msgs)
	if err != nil || len(got) != len(msgs) {
		t.Fatalf("RecordBounceBatch = %+v, %v", got, err)
	}
	if got[0].Dup || got[0].InboundID == 0 || !got[1].Dup || got[1].InboundID != got[0].InboundID || len(got[1].Events) != 0 {
		t.Fatalf("the same bytes twice: %+v, %+v", got[0], got[1])
	}
	if e := got[0].Events; len(e) != 1 || e[0].Dup || !e[0].Bounced || len(e[0].Added) != 1 || e[0].Action != "undeliverable" {
		t.Fatalf("first hard bounce = %+v", e)
	}
	if e := got[2].Events; len(e) != 3 || e[0].Bounced || len(e[0].Added) != 0 || !e[1].Bounced || !e[2].Dup || e[2].Action != "duplicate" {
		t.Fatalf("second message = %+v", e)
	}
	if e := got[4].Events; len(e) != 2 || e[0].Action != "soft 1" || len(e[0].Added) != 0 || e[1].Action != "soft 2" || len(e[1].Added) != 1 || e[1].Added[0].Note != "limit" {
		t.Fatalf("soft bounces = %+v", e)
	}
	for k, want := range []contact.Status{contact.StatusBounced, contact.StatusBounced, contact.StatusActive} {
		if c, _ := st.Contact(ctx, s.WS, s.Contacts[k]); c.Status != want {
			t.Fatalf("contact %d status = %s, want %s", k, c.Status, want)
		}
	}
	// 5 events written (the duplicates not), 2 status changes, 3 do-not-contact entries.
	if n := VerifyAuditChain(t, st, s.WS); n-before != 10 {
		t.Fatalf("audit entries written = %d, want 10", n-before)
	}
	// A second batch continues the chain; a failing batch writes nothing.
	if _, err := st.RecordBounceBatch(ctx, []bounce.BatchMessage{{WorkspaceID: s.WS, Changes: []bounce.Change{soft()}}}); err != nil {
		t.Fatal(err)
	}
	VerifyAuditChain(t, st, s.WS)
	if _, err := st.RecordBounceBatch(ctx, []bounce.BatchMessage{{Inbound: inbound("four"), WorkspaceID: s.WS},
		{WorkspaceID: s.WS, Changes: []bounce.Change{{Event: bounce.Stored{WorkspaceID: s.WS + 1000, Kind: bounce.KindReplied, At: at},
			Review: &bounce.Review{Address: "x@example.com", ReceivedAt: at}}}}}); err == nil {
		t.Fatal("a batch with a review of a missing workspace was written")
	}
	if _, dup, err := st.SaveInbound(ctx, *inbound("four")); err != nil || dup {
		t.Fatalf("message of a failed batch kept: dup %v, %v", dup, err)
	}
	// The deliveries of a batch, found together: only the campaign's, only the workspace's.
	sent, err := st.SentToContacts(ctx, s.WS, s.Campaign, []int64{s.Contacts[0], s.Contacts[2], s.Contacts[2] + 100000})
	if err != nil || len(sent) != 2 || sent[s.Contacts[0]] != s.Addresses[0] || sent[s.Contacts[2]] != s.Addresses[2] {
		t.Fatalf("SentToContacts = %v, %v", sent, err)
	}
	if sent, err := st.SentToContacts(ctx, s.WS+1000, s.Campaign, []int64{s.Contacts[0]}); err != nil || len(sent) != 0 {
		t.Fatalf("SentToContacts of another workspace = %v, %v", sent, err)
	}
	byMID, err := st.SentByMessageIDs(ctx, []string{"m0@batch", "m2@batch", "nobody@batch"})
	if err != nil || len(byMID) != 2 || byMID["m0@batch"].ContactID != s.Contacts[0] || byMID["m2@batch"].Address != s.Addresses[2] ||
		byMID["m2@batch"].WorkspaceID != s.WS || byMID["m2@batch"].CampaignID != s.Campaign {
		t.Fatalf("SentByMessageIDs = %+v, %v", byMID, err)
	}
}
