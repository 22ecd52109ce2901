package bounce_test

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
)

// batchMessages is a mix of what arrives: hard bounces by VERP, soft bounces of one address
// up to the limit (in one message and across messages), a repeated bounce of a bounced
// contact, the same bytes twice, a complaint by Feedback-ID, replies (one asking to stop,
// one unclear), by Message-ID, forged and foreign VERP, an auto-reply, garbage.
func batchMessages(t testing.TB, e env, p parsed) []string {
	key, err := e.st.SigningKey(e.ctx, e.s.WS, bounce.VERPKeyName)
	if err != nil {
		t.Fatal(err)
	}
	verp := func(k int) string {
		return deliver.VERPAddress(key, "bounces.example.org", e.s.WS, e.s.Campaign, e.s.Contacts[k])
	}
	bounceOf := func(k int, status string) *dsn.Report {
		return &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{ReturnPath: verp(k)},
			Recipients: []dsn.Recipient{{Address: e.s.Addresses[k], Action: "failed", Status: status}}}
	}
	p["h0"], p["h0b"], p["h1"] = bounceOf(0, "5.1.1"), bounceOf(0, "5.1.1"), bounceOf(1, "5.1.1")
	p["s2a"], p["s2b"], p["s2c"], p["s2d"] = bounceOf(2, "4.2.2"), bounceOf(2, "4.2.2"), bounceOf(2, "4.2.2"), bounceOf(2, "4.2.2")
	p["s3x2"] = &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{ReturnPath: verp(3)},
		Recipients: []dsn.Recipient{{Address: e.s.Addresses[3], Action: "failed", Status: "4.2.2"},
			{Address: e.s.Addresses[3], Action: "failed", Status: "4.2.2"}, {Address: e.s.Addresses[3], Action: "delayed", Status: "4.2.2"}}}
	p["s3"] = bounceOf(3, "4.2.2")
	p["arf"] = &dsn.Report{Kind: dsn.KindComplaint, FeedbackType: "abuse",
		Original: dsn.Original{FeedbackID: fmt.Sprintf("c%d:ws%d:newsletter:clearlist", e.s.Campaign, e.s.WS), To: e.s.Addresses[4]}}
	p["stop"] = &dsn.Report{Kind: dsn.KindReply, From: e.s.Addresses[5], Text: "Please unsubscribe me.",
		Original: dsn.Original{MessageID: "<m5@equal>"}}
	p["unsure"] = &dsn.Report{Kind: dsn.KindReply, From: e.s.Addresses[6], Original: dsn.Original{MessageID: "<m6@equal>"},
		Text: "Hi, thanks for the spring newsletter. We read it every week and like the recipes a lot, and the new layout too. The bus stop near your shop moved, by the way."}
	p["bymid"] = &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{MessageID: "<m7@equal>"},
		Recipients: []dsn.Recipient{{Address: "whoever@example.com", Action: "failed", Status: "5.1.1"}}}
	p["delivered"] = &dsn.Report{Kind: dsn.KindDelivered, Original: dsn.Original{ReturnPath: verp(8)},
		Recipients: []dsn.Recipient{{Address: e.s.Addresses[8], Action: "delivered", Status: "2.0.0"}}}
	p["nows"] = &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{ReturnPath: deliver.VERPAddress([]byte("another instance key"), "b.example", 99999, 1, 1)},
		Recipients: []dsn.Recipient{{Address: e.s.Addresses[9], Action: "failed", Status: "5.1.1"}}}
	p["stranger"] = &dsn.Report{Kind: dsn.KindBounce, Recipients: []dsn.Recipient{{Address: "x@example.net", Action: "failed", Status: "5.1.1"}}}
	p["auto"] = &dsn.Report{Kind: dsn.KindAutoReply, Text: "away"}
	return []string{"h0", "s2a", "h0b", "h1", "s2b", "h0", "s3x2", "arf", "stop", "unsure", "s2c", "bymid", "delivered",
		"nows", "stranger", "auto", "garbage", "s2d", "s3", "arf"}
}

// state is what a run left in the store, for comparing the two paths.
type state struct {
	Results  []bounce.IngestResult
	Events   []bounce.Stored
	Entries  []string
	Statuses []string
	Audit    []string
	Reviews  []string
}

func snapshot(t testing.TB, e env, rs []bounce.IngestResult) state {
	t.Helper()
	var st state
	for _, r := range rs {
		r.MessageID = 0
		st.Results = append(st.Results, r)
	}
	evs, err := e.svc.Events(e.ctx, e.s.WS, bounce.EventFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		ev.ID, ev.At = 0, ev.At.Truncate(0)
		st.Events = append(st.Events, ev)
	}
	if err := e.st.EachSuppression(e.ctx, e.s.WS, store.SuppressionFilter{}, func(s suppress.Suppression) error {
		st.Entries = append(st.Entries, fmt.Sprintf("%s %s %s %s %q", s.Value, s.Reason, s.ChannelIn, s.RecordedBy, s.Note))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, id := range e.s.Contacts {
		c, err := e.st.Contact(e.ctx, e.s.WS, id)
		if err != nil {
			t.Fatal(err)
		}
		st.Statuses = append(st.Statuses, string(c.Status))
	}
	n := storetest.VerifyAuditChain(t, e.st, e.s.WS)
	if err := e.st.EachAuditEntry(e.ctx, e.s.WS, func(a audit.Entry) error {
		st.Audit = append(st.Audit, a.Action+" "+a.Entity)
		return nil
	}); err != nil || int64(len(st.Audit)) != n {
		t.Fatal(err)
	}
	rv, err := e.svc.Reviews(e.ctx, e.s.WS, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rv {
		st.Reviews = append(st.Reviews, r.Address+" "+r.Matched+" "+r.State)
	}
	return st
}

// TestIngestBatchEqualsOneByOne: the same messages through IngestBatch (in two batches)
// and through IngestMessage one at a time leave the same events, do-not-contact entries,
// contact statuses, reviews and audit actions (the chain verified), and give the same
// results.
func TestIngestBatchEqualsOneByOne(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			run := func(batched, pipelined bool) state {
				p := parsed{}
				e := newEnv(t, eng.Open(t), "equal", 10, p)
				names := batchMessages(t, e, p)
				raws := make([][]byte, len(names))
				for i, n := range names {
					raws[i] = []byte(n)
				}
				var rs []bounce.IngestResult
				if pipelined {
					var got [][]bounce.IngestResult
					pl := e.svc.Pipeline(e.ctx, bounce.ViaFile, func(tag any, r []bounce.IngestResult, err error) error {
						if err != nil {
							return err
						}
						got = append(got, r)
						return nil
					})
					for _, part := range [][][]byte{raws[:7], raws[7:12], raws[12:]} {
						if err := pl.Add(part, nil); err != nil {
							t.Fatal(err)
						}
					}
					if err := pl.Close(); err != nil || len(got) != 3 {
						t.Fatalf("Pipeline: %d batches, %v", len(got), err)
					}
					for _, r := range got {
						rs = append(rs, r...)
					}
				} else if batched {
					for _, part := range [][][]byte{raws[:7], raws[7:]} {
						got, err := e.svc.IngestBatch(e.ctx, part, bounce.ViaFile)
						if err != nil || len(got) != len(part) {
							t.Fatalf("IngestBatch = %+v, %v", got, err)
						}
						rs = append(rs, got...)
					}
				} else {
					for _, raw := range raws {
						r, err := e.svc.IngestMessage(e.ctx, raw, bounce.ViaFile)
						if err != nil {
							t.Fatalf("IngestMessage(%s) = %+v, %v", raw, r, err)
						}
						rs = append(rs, r)
					}
				}
				return snapshot(t, e, rs)
			}
			one := run(false, false)
			for _, batch := range []state{run(true, false), run(false, true)} {
				compareStates(t, one, batch)
			}
		})
	}
}

// compareStates fails the test where the batched run left something else than one by one.
func compareStates(t *testing.T, one, batch state) {
	t.Helper()
	for i := range one.Events { // when they happened is when they were recorded
		one.Events[i].At, batch.Events[i].At = one.Events[i].At.Truncate(0).UTC(), one.Events[i].At.Truncate(0).UTC()
	}
	diff := func(what string, a, b any) {
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s differ:\none by one: %+v\nbatched:    %+v", what, a, b)
		}
	}
	for i := range max(len(one.Results), len(batch.Results)) {
		diff(fmt.Sprint("result ", i), one.Results[i], batch.Results[i])
	}
	for i := range max(len(one.Events), len(batch.Events)) {
		diff(fmt.Sprint("event ", i), one.Events[i], batch.Events[i])
	}
	diff("entries", one.Entries, batch.Entries)
	diff("statuses", one.Statuses, batch.Statuses)
	diff("audit actions", one.Audit, batch.Audit)
	diff("reviews", one.Reviews, batch.Reviews)
	// The mix did what it should, so the comparison is not of two empty runs.
	want := []string{"bounced", "bounced", "active", "active", "active", "active", "active", "bounced", "active", "active"}
	if !reflect.DeepEqual(one.Statuses[:len(want)], want) || len(one.Entries) != 7 || len(one.Reviews) != 1 || len(one.Events) != 16 {
		t.Errorf("one by one left statuses %v, %d entries, %d reviews, %d events", one.Statuses, len(one.Entries), len(one.Reviews), len(one.Events))
	}
}
