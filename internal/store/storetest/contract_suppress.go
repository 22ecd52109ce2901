package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/store"
)

func supp(value, channel, reason string) store.Suppression {
	h := sha256.Sum256([]byte(value))
	at := time.Now().UTC().Add(-time.Hour)
	return store.Suppression{Kind: "email", Value: value, Hash: h[:], ScopeChannel: channel, Reason: reason,
		ChannelIn: "email", RecordedBy: "test", ReceivedAt: at, Deadline: at.Add(48 * time.Hour), DeadlineRule: "dl-test"}
}

// indexModel applies SuppressionChanges the way a screening index does.
type indexModel struct {
	seq  int64
	live map[string]int // hash|channel -> active entries
}

func (m *indexModel) sync(t *testing.T, st *store.Store, ws int64) {
	t.Helper()
	if m.live == nil {
		m.live = map[string]int{}
	}
	seq, err := st.SuppressionChanges(context.Background(), ws, m.seq, func(c store.SuppressionChange) error {
		k := string(c.Hash) + "|" + c.ScopeChannel
		if c.Removed {
			m.live[k]--
			if m.live[k] < 0 {
				return fmt.Errorf("entry %d removed twice", c.ID)
			}
		} else {
			m.live[k]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m.seq = seq
}

func (m *indexModel) has(value, channel string) bool {
	h := sha256.Sum256([]byte(value))
	return m.live[string(h[:])+"|"+channel] > 0
}

func testSuppressions(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w, other := ws(t, st, "supp"), ws(t, st, "supp-other")
	added, dups, err := st.AddSuppressions(ctx, w, []store.Suppression{
		supp("a@example.com", "", "unsubscribe"), supp("a@example.com", "", "unsubscribe"), // same identifier, scope and reason
		supp("a@example.com", "sms", "manual"), supp("b@example.com", "", "complaint")}, "")
	if err != nil || len(added) != 3 || dups != 1 || added[0].ID == 0 {
		t.Fatalf("AddSuppressions = %d added, %d dups, %v; want 3, 1", len(added), dups, err)
	}
	if added[0].Reason != "unsubscribe" {
		t.Errorf("the first copy stands: %+v", added[0])
	}
	// The same identifier and scope for another reason is an entry of its own: a registry's
	// deletion must not take a person's own request with it.
	if other, dups, err := st.AddSuppressions(ctx, w, []store.Suppression{supp("b@example.com", "", "national-registry")}, ""); err != nil || len(other) != 1 || dups != 0 {
		t.Fatalf("same identifier, another reason: %d added, %d dups, %v", len(other), dups, err)
	}
	if n, err := st.RemoveSuppressionsByHash(ctx, w, [][]byte{sha(t, "b@example.com")}, "national-registry", "registry", "change file"); err != nil || n != 1 {
		t.Fatalf("RemoveSuppressionsByHash = %d, %v", n, err)
	}
	var m, mo indexModel
	m.sync(t, st, w)
	mo.sync(t, st, other)
	if !m.has("a@example.com", "") || !m.has("a@example.com", "sms") || !m.has("b@example.com", "") || len(mo.live) != 0 {
		t.Fatalf("initial load: %v, other workspace %v", m.live, mo.live)
	}

	// Protected reasons refuse removal; allowed removals keep the row and an audit line.
	marketer := func(reason string) bool { return reason != "unsubscribe" && reason != "complaint" }
	if _, err := st.RemoveSuppression(ctx, w, added[0].ID, "mallory", "cleanup", marketer); !errors.Is(err, store.ErrProtectedSuppression) {
		t.Fatalf("removing an unsubscribe as a marketer: %v", err)
	}
	if _, err := st.RemoveSuppression(ctx, other, added[1].ID, "x", "y", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing another workspace's entry: %v", err)
	}
	rm, err := st.RemoveSuppression(ctx, w, added[1].ID, "carol", "recorded on the wrong number", marketer)
	if err != nil || rm.RemovedAt == nil || rm.RemovedReason != "recorded on the wrong number" {
		t.Fatalf("remove = %+v, %v", rm, err)
	}
	if _, err := st.RemoveSuppression(ctx, w, added[1].ID, "carol", "again", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("removing twice: %v", err)
	}
	// Added and removed between two syncs: never seen by the index.
	tmp, _, err := st.AddSuppressions(ctx, w, []store.Suppression{supp("c@example.com", "", "manual")}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RemoveSuppression(ctx, w, tmp[0].ID, "carol", "typo", nil); err != nil {
		t.Fatal(err)
	}
	// Re-adding after removal is allowed (a new request).
	if again, _, err := st.AddSuppressions(ctx, w, []store.Suppression{supp("a@example.com", "sms", "request-phone")}, ""); err != nil || len(again) != 1 {
		t.Fatalf("re-add after removal = %v, %v", again, err)
	}
	m.sync(t, st, w)
	if !m.has("a@example.com", "sms") || m.has("c@example.com", "") || m.live[string(sha(t, "c@example.com"))+"|"] != 0 {
		t.Fatalf("after changes: %v", m.live)
	}
	var fresh indexModel
	fresh.sync(t, st, w)
	if len(nonZero(fresh.live)) != len(nonZero(m.live)) {
		t.Fatalf("incremental %v and fresh %v indexes differ", nonZero(m.live), nonZero(fresh.live))
	}

	// Erasure drops the clear value; the entry still screens.
	n, err := st.EraseSuppressionValues(ctx, w, sha(t, "b@example.com"), "dsar")
	if err != nil || n != 2 { // the complaint and the registry entry removed earlier
		t.Fatalf("erase = %d, %v", n, err)
	}
	list, err := st.Suppressions(ctx, w, store.SuppressionFilter{Hash: sha(t, "b@example.com")})
	if err != nil || len(list) != 1 || list[0].Value != "" || list[0].Reason != "complaint" {
		t.Fatalf("after erasure: %+v, %v", list, err)
	}
	if all, _ := st.Suppressions(ctx, w, store.SuppressionFilter{IncludeRemoved: true}); len(all) != 6 {
		t.Fatalf("removed entries are kept: %d rows, want 6", len(all))
	}
	audit, err := st.SuppressionAudit(ctx, w, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, l := range audit {
		actions = append(actions, l.Action)
	}
	if fmt.Sprint(actions) != "[added added added added removed removed added removed added erased]" {
		t.Fatalf("audit trail = %v", actions)
	}
	// Late entries: recorded after their deadline.
	late := supp("late@example.com", "", "request-letter")
	late.ReceivedAt, late.Deadline = time.Now().Add(-30*24*time.Hour), time.Now().Add(-16*24*time.Hour)
	if _, _, err := st.AddSuppressions(ctx, w, []store.Suppression{late}, "letter batch"); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Suppressions(ctx, w, store.SuppressionFilter{LateOnly: true}); len(got) != 1 || !got[0].Late() {
		t.Fatalf("late entries = %+v", got)
	}
	// Instance-wide entries live in workspace 0 with their own key.
	if _, _, err := st.AddSuppressions(ctx, store.InstanceWorkspace, []store.Suppression{supp("x@example.com", "", "manual")}, ""); err != nil {
		t.Fatal(err)
	}
	var mi indexModel
	mi.sync(t, st, store.InstanceWorkspace)
	if !mi.has("x@example.com", "") {
		t.Fatal("instance-wide entry not loaded")
	}
	k1, err := st.InstanceKey(ctx, "suppress")
	k2, err2 := st.InstanceKey(ctx, "suppress")
	if err != nil || err2 != nil || len(k1) != 32 || !bytes.Equal(k1, k2) {
		t.Fatalf("instance key not stable: %x %x %v %v", k1, k2, err, err2)
	}
}

// testSuppressionsConcurrent: writers racing on one workspace never let an index that syncs
// meanwhile miss a change.
func testSuppressionsConcurrent(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "supp-race")
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				batch := []store.Suppression{supp(fmt.Sprintf("g%d-%d@example.com", g, i), "", "manual")}
				if _, _, err := st.AddSuppressions(ctx, w, batch, ""); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	var m indexModel
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		m.sync(t, st, w)
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	m.sync(t, st, w)
	if got := len(nonZero(m.live)); got != 100 {
		t.Fatalf("index saw %d of 100 entries", got)
	}
}

func sha(t *testing.T, v string) []byte {
	t.Helper()
	h := sha256.Sum256([]byte(v))
	return h[:]
}

func nonZero(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		if v != 0 {
			out[k] = v
		}
	}
	return out
}

// testWebhookOutbox: each change queues one delivery per live webhook in its transaction;
// claims lease deliveries, failures retry at the time given, successes end them.
func testWebhookOutbox(t *testing.T, st *store.Store) {
	ctx := context.Background()
	w := ws(t, st, "hooks")
	h, err := st.CreateWebhook(ctx, w, "http://127.0.0.1:1/hook")
	if err != nil || len(h.Secret) != 32 {
		t.Fatalf("CreateWebhook = %+v, %v", h, err)
	}
	added, _, err := st.AddSuppressions(ctx, w, []store.Suppression{supp("h@example.com", "", "unsubscribe")}, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.RemoveSuppression(ctx, w, added[0].ID, "carol", "wrong person", nil); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	ds, hs, err := st.ClaimDeliveries(ctx, now, time.Minute, 10)
	if err != nil || len(ds) != 2 || hs[0].URL != h.URL || ds[0].Event != "suppression.added" || ds[1].Event != "suppression.removed" {
		t.Fatalf("claim = %+v, %v", ds, err)
	}
	if again, _, _ := st.ClaimDeliveries(ctx, now, time.Minute, 10); len(again) != 0 {
		t.Fatalf("claimed deliveries are leased: %d claimed again", len(again))
	}
	if err := st.RecordDelivery(ctx, ds[0].ID, 500, "server error", false, now.Add(10*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := st.RecordDelivery(ctx, ds[1].ID, 200, "", true, time.Time{}); err != nil {
		t.Fatal(err)
	}
	retry, _, err := st.ClaimDeliveries(ctx, now.Add(11*time.Second), time.Minute, 10)
	if err != nil || len(retry) != 1 || retry[0].ID != ds[0].ID || retry[0].Attempts != 1 {
		t.Fatalf("retry = %+v, %v", retry, err)
	}
	if err := st.RecordDelivery(ctx, retry[0].ID, 410, "gone", false, time.Time{}); err != nil {
		t.Fatal(err)
	}
	log, err := st.Deliveries(ctx, w, h.ID, 0, 10)
	if err != nil || len(log) != 2 || log[0].DeliveredAt == nil || log[1].FailedAt == nil || log[1].LastStatus != 410 {
		t.Fatalf("delivery log = %+v, %v", log, err)
	}
	// Paged: one at a time, from the newest, each page after the previous one's last id.
	if p1, err := st.Deliveries(ctx, w, h.ID, 0, 1); err != nil || len(p1) != 1 || p1[0].ID != log[0].ID {
		t.Fatalf("first page = %+v, %v; want delivery %d", p1, err, log[0].ID)
	}
	if p2, err := st.Deliveries(ctx, w, h.ID, log[0].ID, 1); err != nil || len(p2) != 1 || p2[0].ID != log[1].ID {
		t.Fatalf("second page = %+v, %v; want delivery %d", p2, err, log[1].ID)
	}
	if p3, err := st.Deliveries(ctx, w, h.ID, log[1].ID, 1); err != nil || len(p3) != 0 {
		t.Fatalf("after the last = %+v, %v; want none", p3, err)
	}
	if other, err := st.Deliveries(ctx, w+1000, h.ID, 0, 10); err != nil || len(other) != 0 {
		t.Fatalf("another workspace reads this one's log: %+v, %v", other, err)
	}
	if err := st.DisableWebhook(ctx, w, h.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.AddSuppressions(ctx, w, []store.Suppression{supp("i@example.com", "", "manual")}, ""); err != nil {
		t.Fatal(err)
	}
	if more, _, _ := st.ClaimDeliveries(ctx, now.Add(time.Hour), time.Minute, 10); len(more) != 0 {
		t.Fatalf("a disabled webhook gets nothing: %+v", more)
	}
}
