package bounce_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/transactional"
)

type env struct {
	st  *store.Store
	dnc *suppress.Service
	svc *bounce.Service
	s   storetest.SentCampaign
	ctx context.Context
}

// parsed is the Parse of a test: the report the message's bytes name (tests build reports by
// hand; the parser has its own tests).
type parsed map[string]*dsn.Report

func (p parsed) parse(raw []byte) (*dsn.Report, error) {
	if r, ok := p[string(raw)]; ok {
		return r, nil
	}
	return nil, errors.New("broken MIME")
}

func classify(status, code, diag string) (string, bool) {
	if strings.HasPrefix(status, "5.1.1") {
		return "userunknown", true
	}
	return "mailboxfull", false
}

func newEnv(t testing.TB, st *store.Store, name string, n int, p parsed) env {
	dnc := suppress.New(st, suppress.Options{}, nil)
	e := env{st: st, dnc: dnc, s: storetest.SeedSentCampaign(t, st, name, n),
		ctx: audit.WithActor(context.Background(), audit.Actor{Kind: audit.Job, Name: "bounce"})}
	opts := bounce.Options{Classify: classify}
	if p != nil {
		opts.Parse = p.parse
	}
	e.svc = bounce.New(st, dnc, opts)
	return e
}

func (e env) contactable(t *testing.T, addr string) bool {
	t.Helper()
	a, err := e.dnc.CheckSuppressed(e.ctx, e.s.WS, "email", addr, "email", "newsletter")
	if err != nil {
		t.Fatal(err)
	}
	return a.Contactable
}

func (e env) record(t *testing.T, evs ...bounce.Event) []bounce.EventResult {
	t.Helper()
	rs, err := e.svc.Record(e.ctx, e.s.WS, evs)
	if err != nil || len(rs) != len(evs) {
		t.Fatalf("Record = %+v, %v", rs, err)
	}
	return rs
}

// TestRecordHardBounce: a hard bounce marks the contact bounced and puts the address on the
// list (reason hard-bounce, in by bounce); the same provider event again is a duplicate.
func TestRecordHardBounce(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "hard", 2, nil)
		ev := bounce.Event{Kind: bounce.KindBounced, Status: "5.1.1", ReplyCode: "550", Diagnostic: "no such user",
			Via: bounce.ViaSendGrid, ExternalID: "sg-1", CampaignID: e.s.Campaign, ContactID: e.s.Contacts[0], Address: e.s.Addresses[0]}
		r := e.record(t, ev)[0]
		if r.Action != "undeliverable" || !r.Hard || r.Reason != "userunknown" || r.ContactID != e.s.Contacts[0] {
			t.Fatalf("result = %+v", r)
		}
		if c, _ := st.Contact(e.ctx, e.s.WS, e.s.Contacts[0]); c.Status != contact.StatusBounced {
			t.Fatalf("status = %s", c.Status)
		}
		if e.contactable(t, e.s.Addresses[0]) || !e.contactable(t, e.s.Addresses[1]) {
			t.Fatal("the bounced address is contactable, or the other is not")
		}
		on, _ := e.dnc.SuppressionsFor(e.ctx, e.s.WS, "email", e.s.Addresses[0])
		if len(on) != 1 || on[0].Reason != "hard-bounce" || on[0].ChannelIn != "bounce" || on[0].ScopeChannel != "email" {
			t.Fatalf("entries = %+v", on)
		}
		if r := e.record(t, ev)[0]; r.Action != "duplicate" {
			t.Fatalf("replay = %+v, want duplicate", r)
		}
	})
}

// TestRecordSoftBounces: soft bounces count per address; the limit-th within the window
// suppresses; a workspace's own limit applies.
func TestRecordSoftBounces(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "soft", 2, nil)
		now := time.Now().UTC()
		soft := func(addr string, at time.Time) string {
			return e.record(t, bounce.Event{Kind: bounce.KindBounced, Status: "4.2.2", Address: addr, CampaignID: e.s.Campaign, At: at})[0].Action
		}
		// The first is out of the second's 15-day window: it counts for nothing.
		for i, c := range []struct {
			at   time.Time
			want string
		}{{now.Add(-20 * 24 * time.Hour), "soft-bounce 1 of 3"}, {now.Add(-time.Hour), "soft-bounce 1 of 3"}, {now, "soft-bounce 2 of 3"}} {
			if a := soft(e.s.Addresses[0], c.at); a != c.want {
				t.Fatalf("soft bounce %d: %q, want %q", i+1, a, c.want)
			}
		}
		if !e.contactable(t, e.s.Addresses[0]) {
			t.Fatal("suppressed with only two soft bounces within 15 days")
		}
		if a := soft(e.s.Addresses[0], now); !strings.HasPrefix(a, "suppressed: soft-bounce 3 of 3") {
			t.Fatalf("third within the window: %s", a)
		}
		if e.contactable(t, e.s.Addresses[0]) {
			t.Fatal("contactable after three soft bounces")
		}
		if c, _ := st.Contact(e.ctx, e.s.WS, e.s.Contacts[0]); c.Status != contact.StatusActive {
			t.Fatalf("soft bounces changed the status to %s", c.Status)
		}
		if err := st.SetSetting(e.ctx, e.s.WS, bounce.SettingSoftLimit, "1"); err != nil {
			t.Fatal(err)
		}
		if a := soft(e.s.Addresses[1], now); !strings.HasPrefix(a, "suppressed: soft-bounce 1 of 1") {
			t.Fatalf("with the limit set to 1: %s", a)
		}
	})
}

// TestRecordComplaint: a complaint puts the address on the list for every e-mail purpose.
func TestRecordComplaint(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "fbl", 1, nil)
		r := e.record(t, bounce.Event{Kind: bounce.KindComplained, FeedbackType: "abuse", MessageID: "<m0@fbl>", Address: e.s.Addresses[0]})[0]
		if r.Action != "suppressed" || r.CampaignID != e.s.Campaign {
			t.Fatalf("result = %+v", r)
		}
		for _, purpose := range []string{"newsletter", "offers"} {
			if a, _ := e.dnc.CheckSuppressed(e.ctx, e.s.WS, "email", e.s.Addresses[0], "email", purpose); a.Contactable {
				t.Fatalf("contactable for %s after a complaint", purpose)
			}
		}
		on, _ := e.dnc.SuppressionsFor(e.ctx, e.s.WS, "email", e.s.Addresses[0])
		if len(on) != 1 || on[0].Reason != "complaint" {
			t.Fatalf("entries = %+v", on)
		}
	})
}

// TestRecordReply: a short reply asking to stop, in each language, puts the address on the
// list (request-email, with its deadline); an unclear one waits for a person, who decides
// once; the quoted original's "unsubscribe" does nothing.
func TestRecordReply(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "reply", len(pleaseUnsubscribe)+3, nil)
		i := 0
		for lang, text := range pleaseUnsubscribe {
			r := e.record(t, bounce.Event{Kind: bounce.KindReplied, Text: text, CampaignID: e.s.Campaign, ContactID: e.s.Contacts[i]})[0]
			if r.Action != "suppressed" {
				t.Errorf("%s %q: %+v", lang, text, r)
			}
			on, _ := e.dnc.SuppressionsFor(e.ctx, e.s.WS, "email", e.s.Addresses[i])
			if len(on) != 1 || on[0].Reason != "request-email" || on[0].Deadline.IsZero() || on[0].ChannelIn != "email" {
				t.Errorf("%s: entries = %+v", lang, on)
			}
			i++
		}
		quoted := "Thanks, see you Tuesday.\n\nOn Mon, 1 Dec 2026 at 10:00, News <news@example.org> wrote:\n> Spring offers\n> Unsubscribe: https://x/u/abc\n"
		if r := e.record(t, bounce.Event{Kind: bounce.KindReplied, Text: quoted, CampaignID: e.s.Campaign, ContactID: e.s.Contacts[i]})[0]; r.Action != "recorded" {
			t.Fatalf("quoted unsubscribe link: %+v", r)
		}
		long := "Hi, thanks for the spring newsletter. " + strings.Repeat("We read it every week and like the recipes a lot. ", 6) +
			"The bus stop near your shop moved, by the way."
		r := e.record(t, bounce.Event{Kind: bounce.KindReplied, Text: long, CampaignID: e.s.Campaign, ContactID: e.s.Contacts[i+1]})[0]
		if r.Action != "review" || !e.contactable(t, e.s.Addresses[i+1]) {
			t.Fatalf("long reply mentioning stop: %+v", r)
		}
		rs, err := e.svc.Reviews(e.ctx, e.s.WS, false)
		if err != nil || len(rs) != 1 || rs[0].Matched != "stop" || rs[0].Address != e.s.Addresses[i+1] {
			t.Fatalf("reviews = %+v, %v", rs, err)
		}
		if _, err := e.svc.Decide(e.ctx, e.s.WS, rs[0].ID, true, ""); err == nil {
			t.Fatal("a decision without a name")
		}
		got, err := e.svc.Decide(e.ctx, e.s.WS, rs[0].ID, true, "ann (compliance)")
		if err != nil || got.State != bounce.ReviewStopped || e.contactable(t, e.s.Addresses[i+1]) {
			t.Fatalf("decide stop = %+v, %v", got, err)
		}
		if _, err := e.svc.Decide(e.ctx, e.s.WS, rs[0].ID, false, "bob"); !errors.Is(err, bounce.ErrDecided) {
			t.Fatalf("second decision: %v", err)
		}
		if _, err := e.svc.Decide(e.ctx, e.s.WS, rs[0].ID+100, false, "bob"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown review: %v", err)
		}
		vac := e.record(t, bounce.Event{Kind: bounce.KindReplied, Reason: "vacation", Text: "stop", CampaignID: e.s.Campaign, ContactID: e.s.Contacts[i+2]})[0]
		if vac.Action != "recorded" || !e.contactable(t, e.s.Addresses[i+2]) {
			t.Fatalf("auto-reply: %+v", vac)
		}
	})
}

// TestRecordIgnored: events that match nothing sent are ignored with the reason, and
// nothing is suppressed.
func TestRecordIgnored(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, "ign", 1, nil)
		other := storetest.SeedSentCampaign(t, st, "ign-other", 1)
		for name, ev := range map[string]bounce.Event{
			"unknown campaign":   {Kind: bounce.KindBounced, Status: "5.1.1", CampaignID: e.s.Campaign + 999, ContactID: e.s.Contacts[0]},
			"unknown address":    {Kind: bounce.KindComplained, Address: "stranger@example.net"},
			"not sent to":        {Kind: bounce.KindBounced, Status: "5.1.1", CampaignID: e.s.Campaign, Address: "stranger@example.net"},
			"other workspace":    {Kind: bounce.KindBounced, Status: "5.1.1", WorkspaceID: other.WS, CampaignID: other.Campaign, ContactID: other.Contacts[0]},
			"other's campaign":   {Kind: bounce.KindBounced, Status: "5.1.1", CampaignID: other.Campaign, ContactID: other.Contacts[0]},
			"unknown message":    {Kind: bounce.KindBounced, Status: "5.1.1", MessageID: "<m0@ign-other>"},
			"unknown kind":       {Kind: "exploded", Address: e.s.Addresses[0]},
			"names nothing":      {Kind: bounce.KindBounced, Status: "5.1.1"},
			"transactional none": {Kind: bounce.KindBounced, Status: "5.1.1", TransactionalID: 424242},
		} {
			r := e.record(t, ev)[0]
			if !strings.HasPrefix(r.Action, "ignored: ") {
				t.Errorf("%s: %+v", name, r)
			}
		}
		if !e.contactable(t, e.s.Addresses[0]) || !e.contactable(t, "stranger@example.net") {
			t.Fatal("an ignored event suppressed an address")
		}
		a, _ := e.dnc.CheckSuppressed(e.ctx, other.WS, "email", other.Addresses[0], "email", "newsletter")
		if !a.Contactable {
			t.Fatal("an event for another workspace suppressed its address")
		}
		if evs, _ := e.svc.Events(e.ctx, e.s.WS, bounce.EventFilter{}); len(evs) != 0 {
			t.Fatalf("ignored events were stored: %+v", evs)
		}
	})
}

// TestIngestMessage: a DSN to our signed VERP address acts once (the same bytes again are
// recognised), a forged VERP address or a message of no campaign does nothing, a
// transactional message's bounce is found by its Message-ID, and without a parser
// IngestMessage says what is missing.
func TestIngestMessage(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		p := parsed{}
		e := newEnv(t, st, "ingest", 3, p)
		key, err := st.SigningKey(e.ctx, e.s.WS, bounce.VERPKeyName)
		if err != nil {
			t.Fatal(err)
		}
		verp := deliver.VERPAddress(key, "bounces.example.org", e.s.WS, e.s.Campaign, e.s.Contacts[0])
		dsnFor := func(rp, addr, status string) *dsn.Report {
			return &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{ReturnPath: rp},
				Recipients: []dsn.Recipient{{Address: addr, Action: "failed", Status: status}}}
		}
		p["good"] = dsnFor(verp, e.s.Addresses[0], "5.1.1")
		res, err := e.svc.IngestMessage(e.ctx, []byte("good"), bounce.ViaSMTP)
		if err != nil || res.Ignored != "" || len(res.Events) != 1 || res.Events[0].Action != "undeliverable" || res.MessageID == 0 {
			t.Fatalf("ingest = %+v, %v", res, err)
		}
		if e.contactable(t, e.s.Addresses[0]) {
			t.Fatal("contactable after its DSN")
		}
		again, err := e.svc.IngestMessage(e.ctx, []byte("good"), bounce.ViaFile)
		if err != nil || again.Ignored == "" || len(again.Events) != 0 || again.MessageID != res.MessageID {
			t.Fatalf("the same message again = %+v, %v", again, err)
		}
		forged := strings.Replace(verp, fmt.Sprintf(".%d.", e.s.Contacts[0]), fmt.Sprintf(".%d.", e.s.Contacts[1]), 1)
		p["forged"] = dsnFor(forged, e.s.Addresses[1], "5.1.1")
		if res, err := e.svc.IngestMessage(e.ctx, []byte("forged"), bounce.ViaSMTP); err != nil || !strings.Contains(res.Ignored, "forged") || len(res.Events) != 0 {
			t.Fatalf("forged VERP = %+v, %v", res, err)
		}
		p["nows"] = dsnFor(deliver.VERPAddress(key, "b.example", 99999, 1, 1), e.s.Addresses[1], "5.1.1")
		if res, err := e.svc.IngestMessage(e.ctx, []byte("nows"), bounce.ViaSMTP); err != nil || res.Ignored == "" {
			t.Fatalf("VERP of an unknown workspace = %+v, %v", res, err)
		}
		p["stranger"] = dsnFor("", "someone@example.net", "5.1.1")
		if res, err := e.svc.IngestMessage(e.ctx, []byte("stranger"), bounce.ViaSMTP); err != nil || !strings.Contains(res.Ignored, "not one of ours") {
			t.Fatalf("a DSN of no campaign = %+v, %v", res, err)
		}
		if !e.contactable(t, e.s.Addresses[1]) {
			t.Fatal("a forged or foreign DSN suppressed an address")
		}
		if rs, _ := e.svc.Events(e.ctx, e.s.WS, bounce.EventFilter{}); len(rs) != 1 {
			t.Fatalf("events after one real DSN and the ignored ones: %+v", rs)
		}
		if res, err := e.svc.IngestMessage(e.ctx, []byte("garbage"), bounce.ViaSMTP); err != nil || !strings.Contains(res.Ignored, "unreadable") {
			t.Fatalf("broken message = %+v, %v", res, err)
		}
		// By the original Message-ID (no VERP), and a Feedback-ID complaint.
		p["bymid"] = &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{MessageID: "<m1@ingest>"},
			Recipients: []dsn.Recipient{{Address: "whoever@example.com", Action: "failed", Status: "4.2.2"}}}
		if res, err := e.svc.IngestMessage(e.ctx, []byte("bymid"), bounce.ViaSMTP); err != nil || len(res.Events) != 1 ||
			res.Events[0].CampaignID != e.s.Campaign || !strings.HasPrefix(res.Events[0].Action, "soft-bounce 1") {
			t.Fatalf("by Message-ID = %+v, %v", res, err)
		}
		p["arf"] = &dsn.Report{Kind: dsn.KindComplaint, FeedbackType: "abuse",
			Original: dsn.Original{FeedbackID: fmt.Sprintf("c%d:ws%d:newsletter:clearlist", e.s.Campaign, e.s.WS), To: e.s.Addresses[2]}}
		if res, err := e.svc.IngestMessage(e.ctx, []byte("arf"), bounce.ViaSMTP); err != nil || len(res.Events) != 1 || res.Events[0].Action != "suppressed" {
			t.Fatalf("complaint by Feedback-ID = %+v, %v", res, err)
		}
		p["auto"] = &dsn.Report{Kind: dsn.KindAutoReply, Text: "I am away; stop"}
		if res, err := e.svc.IngestMessage(e.ctx, []byte("auto"), bounce.ViaSMTP); err != nil || res.Ignored == "" || len(res.Events) != 0 {
			t.Fatalf("auto-reply = %+v, %v", res, err)
		}
		// One report about several recipients: each matched by its own address.
		p["multi"] = &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{ReturnPath: verp},
			Recipients: []dsn.Recipient{{Address: e.s.Addresses[2], Action: "failed", Status: "5.1.1"},
				{Address: "stranger@example.net", Action: "failed", Status: "5.1.1"}}}
		if res, err := e.svc.IngestMessage(e.ctx, []byte("multi"), bounce.ViaSMTP); err != nil || len(res.Events) != 2 ||
			res.Events[0].ContactID != e.s.Contacts[2] || res.Events[0].Action != "undeliverable" || !strings.HasPrefix(res.Events[1].Action, "ignored") {
			t.Fatalf("several recipients = %+v, %v", res, err)
		}
		// A transactional message's VERP (campaign 0, its id in the contact slot).
		tx, err := st.RecordTransactional(e.ctx, transactional.Send{WorkspaceID: e.s.WS, Address: e.s.Addresses[1], Purpose: "receipts",
			State: transactional.StateSending, CreatedAt: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		p["tx"] = dsnFor(deliver.VERPAddress(key, "bounces.example.org", e.s.WS, 0, tx.ID), e.s.Addresses[1], "5.1.1")
		if res, err := e.svc.IngestMessage(e.ctx, []byte("tx"), bounce.ViaSMTP); err != nil || len(res.Events) != 1 ||
			res.Events[0].Action != "undeliverable" || res.Events[0].ContactID != e.s.Contacts[1] || e.contactable(t, e.s.Addresses[1]) {
			t.Fatalf("transactional bounce = %+v, %v", res, err)
		}
		// By its Message-ID alone (no VERP): found through the batch's Message-ID look-up.
		tx.State, tx.MessageID = transactional.StateSent, "t-mid@example.org"
		if err := st.FinishTransactional(e.ctx, tx); err != nil {
			t.Fatal(err)
		}
		p["txmid"] = &dsn.Report{Kind: dsn.KindBounce, Original: dsn.Original{MessageID: "<t-mid@example.org>"},
			Recipients: []dsn.Recipient{{Address: e.s.Addresses[1], Action: "failed", Status: "4.2.2"}}}
		if res, err := e.svc.IngestBatch(e.ctx, [][]byte{[]byte("txmid")}, bounce.ViaSMTP); err != nil || len(res[0].Events) != 1 ||
			res[0].Events[0].ContactID != e.s.Contacts[1] || !strings.HasPrefix(res[0].Events[0].Action, "soft-bounce ") {
			t.Fatalf("transactional bounce by Message-ID = %+v, %v", res, err)
		}
		bare := bounce.New(st, e.dnc, bounce.Options{})
		if _, err := bare.IngestMessage(e.ctx, []byte("good2"), bounce.ViaSMTP); !errors.Is(err, bounce.ErrNoParser) {
			t.Fatalf("without a parser: %v", err)
		}
		if n, err := e.svc.PruneAll(e.ctx, time.Now().Add(31*24*time.Hour)); err != nil || n < 8 {
			t.Fatalf("prune after 31 days = %d, %v", n, err)
		}
		if n, err := e.svc.PruneAll(e.ctx, time.Now().Add(31*24*time.Hour)); err != nil || n != 0 {
			t.Fatalf("prune again = %d, %v", n, err)
		}
	})
}
