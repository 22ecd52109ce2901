package campaign_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/track"
)

// decideQueue records the decision jobs a campaign asks for (the River path is
// TestABRiver's); the send jobs are run by hand.
type decideQueue struct {
	mu  sync.Mutex
	ask []time.Time
}

func (q *decideQueue) EnqueueCampaignSend(context.Context, int64, int64, int, time.Time) error {
	return nil
}
func (q *decideQueue) EnqueueABDecide(_ context.Context, _, _ int64, at time.Time) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.ask = append(q.ask, at)
	return nil
}

func (e *env) createAB(t *testing.T, name string, ab campaign.ABTest) campaign.Campaign {
	t.Helper()
	c, err := e.svc.Create(context.Background(), campaign.Campaign{WorkspaceID: e.ws, Name: name, Purpose: "newsletter",
		Lists: []int64{e.list}, FromAddress: "News <news@sender.example>", AB: &ab,
		Content: campaign.Content{Subject: "Hello {{.Contact.first_name}}", HTML: "<p>Hi {{.Contact.first_name}}</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// subjects maps each address the relay got mail for to the subjects it got.
func (e *env) subjects(t *testing.T) map[string][]string {
	t.Helper()
	e.relay.mu.Lock()
	defer e.relay.mu.Unlock()
	out := map[string][]string{}
	for to, msgs := range e.relay.got {
		for _, m := range msgs {
			mr, err := gomail.CreateReader(strings.NewReader(string(m)))
			if err != nil {
				t.Fatal(err)
			}
			s, _ := mr.Header.Subject()
			out[to] = append(out[to], s)
		}
	}
	return out
}

func variantOf(subject string) string {
	switch {
	case strings.HasPrefix(subject, "Hello "):
		return "A"
	case strings.HasPrefix(subject, "Psst "):
		return "B"
	}
	return "?"
}

// TestABDecide: on both engines, a start splits a 50% sample evenly between A and B (the
// same split every time for the campaign) and holds the rest; the send jobs mail the sample
// only, each recipient the subject of their variant, and then ask for the decision job
// (after the wait) rather than finish; the decision reads the seeded events (a machine's
// click left out) and picks B, records it with its audit entry and releases the rest with
// B; a second decision changes nothing; the campaign finishes with everyone mailed once.
func TestABDecide(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := audit.WithActor(context.Background(), audit.Actor{Kind: audit.User, Name: "marketer"})
		to := addrs("ab", 40)
		e := newEnv(t, st, to, nil, nil, campaign.Options{Batch: 8, Concurrency: 2})
		q := &decideQueue{}
		e.svc.SetQueue(q)
		c := e.createAB(t, "ab", campaign.ABTest{Variants: []campaign.Variant{{Subject: "Psst {{.Contact.first_name}}"}},
			SamplePercent: 50, Metric: campaign.MetricClicks, Wait: "2h"})
		if c.AB.Wait != "2h0m0s" || c.AB.SamplePercent != 50 {
			t.Fatalf("normalised test = %+v", c.AB)
		}
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		counts, _ := e.svc.Report(ctx, e.ws, c.ID)
		if counts.ByState[campaign.Queued] != 20 || counts.ByState[campaign.Held] != 20 {
			t.Fatalf("after the start: %+v, want 20 queued and 20 held", counts.ByState)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil {
			t.Fatal(err)
		}
		got := e.subjects(t)
		per := map[string]int{}
		for _, ss := range got {
			if len(ss) != 1 {
				t.Fatalf("a recipient got %d messages", len(ss))
			}
			per[variantOf(ss[0])]++
		}
		if len(got) != 20 || per["A"] != 10 || per["B"] != 10 {
			t.Fatalf("the sample got %d messages, per variant %v; want 20, 10 and 10", len(got), per)
		}
		if k, _ := e.svc.Campaign(ctx, e.ws, c.ID); k.State != campaign.Sending || k.ABDecision != nil {
			t.Fatalf("after the sample: %s, decision %+v", k.State, k.ABDecision)
		}
		if len(q.ask) == 0 || !q.ask[0].Equal(e.clock.now().Add(2*time.Hour)) {
			t.Fatalf("decision job asked for %v, want once at %s", q.ask, e.clock.now().Add(2*time.Hour))
		}
		// Nothing more is sent before the decision.
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil {
			t.Fatal(err)
		}
		if n := len(e.subjects(t)); n != 20 {
			t.Fatalf("held recipients mailed before the decision: %d messages", n)
		}
		// B: two people click (one twice); A: a scanner's click only.
		for _, ev := range []track.Event{{Contact: 1, Variant: 2}, {Contact: 1, Variant: 2}, {Contact: 2, Variant: 2},
			{Variant: 1, Machine: true, Rule: "mimecast"}, {Kind: track.EventOpen, Variant: 1}} {
			ev.Workspace, ev.Campaign, ev.At = e.ws, c.ID, e.clock.now()
			if ev.Kind == "" {
				ev.Kind = track.EventClick
			}
			if err := st.RecordEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		e.clock.add(2 * time.Hour)
		d, err := e.svc.DecideAB(ctx, e.ws, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Winner != "B" || d.Released != 20 || d.Figures[1].UniqueClicks != 2 || d.Figures[0].UniqueClicks != 0 ||
			d.Figures[1].Sent != 10 || !strings.Contains(d.Reason, "variant B") {
			t.Fatalf("decision = %+v", d)
		}
		if again, err := e.svc.DecideAB(ctx, e.ws, c.ID); err != nil || again.Winner != "B" || !again.DecidedAt.Equal(d.DecidedAt) {
			t.Fatalf("second decision: %+v, %v", again, err)
		}
		if _, err := e.svc.PickAB(ctx, e.ws, c.ID, "A"); !errors.Is(err, campaign.ErrState) {
			t.Fatalf("pick after the decision: %v, want ErrState", err)
		}
		all, err := st.AuditEntries(ctx, e.ws, audit.Filter{Entity: "campaign", Limit: 1000})
		var entries []audit.Entry
		for _, en := range all {
			if en.Action == "campaign.ab-decided" {
				entries = append(entries, en)
			}
		}
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit entries = %d, %v; want 1", len(entries), err)
		}
		b, _ := json.Marshal(entries[0])
		if !strings.Contains(string(b), "unique_clicks=2") {
			t.Errorf("the audit entry lacks the figures: %s", b)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil {
			t.Fatal(err)
		}
		got = e.subjects(t)
		per = map[string]int{}
		for _, a := range to {
			if len(got[a]) != 1 {
				t.Fatalf("%s got %d messages, want 1", a, len(got[a]))
			}
			per[variantOf(got[a][0])]++
		}
		if per["A"] != 10 || per["B"] != 30 {
			t.Fatalf("per variant %v, want A 10 and B 30", per)
		}
		if k, _ := e.svc.Campaign(ctx, e.ws, c.ID); k.State != campaign.Finished || k.ABDecision == nil || k.ABDecision.Winner != "B" {
			t.Fatalf("at the end: %s, %+v", k.State, k.ABDecision)
		}
	})
}

// TestABPickWhilePaused: a campaign paused during the wait is picked by hand (variant B):
// the rest is released but nothing is sent while it is paused; the resumed campaign mails
// everyone once, and the decision job that runs later changes nothing. A tie (nothing
// measured) goes to A, saying why.
func TestABPickWhilePaused(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		to := addrs("pp", 12)
		e := newEnv(t, st, to, nil, nil, campaign.Options{Batch: 8, Concurrency: 2})
		e.svc.SetQueue(&decideQueue{})
		c := e.createAB(t, "pick", campaign.ABTest{Variants: []campaign.Variant{{Subject: "Psst {{.Contact.first_name}}"}},
			SamplePercent: 34, Metric: campaign.MetricOpens})
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil {
			t.Fatal(err)
		}
		sample := len(e.subjects(t))
		if sample != 5 { // 34% of 12, rounded up
			t.Fatalf("sample = %d, want 5", sample)
		}
		if err := e.svc.Pause(ctx, e.ws, c.ID, "checking"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.PickAB(ctx, e.ws, c.ID, "Z"); !errors.Is(err, campaign.ErrInvalid) {
			t.Fatalf("pick Z: %v", err)
		}
		d, err := e.svc.PickAB(ctx, e.ws, c.ID, "b")
		if err != nil || d.Winner != "B" || d.Released != 12-sample {
			t.Fatalf("pick = %+v, %v", d, err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil {
			t.Fatal(err)
		}
		if n := len(e.subjects(t)); n != sample {
			t.Fatalf("sent while paused: %d, want %d", n, sample)
		}
		if err := e.svc.Resume(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil {
			t.Fatal(err)
		}
		got := e.subjects(t)
		for _, a := range to {
			if len(got[a]) != 1 {
				t.Fatalf("%s got %d messages", a, len(got[a]))
			}
		}
		if d2, err := e.svc.DecideAB(ctx, e.ws, c.ID); err != nil || d2.Winner != "B" || !strings.Contains(d2.Reason, "by hand") {
			t.Fatalf("the late decision job: %+v, %v", d2, err)
		}

		tie := e.createAB(t, "tie", campaign.ABTest{Variants: []campaign.Variant{{Subject: "Psst"}, {Subject: "Third"}}, Wait: "0s"})
		if _, err := e.svc.Start(ctx, e.ws, tie.ID); err != nil {
			t.Fatal(err)
		}
		d, err = e.svc.DecideAB(ctx, e.ws, tie.ID)
		if err != nil || d.Winner != "A" || !strings.Contains(d.Reason, "tie") || len(d.Figures) != 3 {
			t.Fatalf("tie decision = %+v, %v", d, err)
		}
	})
}

// TestABRiver: on both engines, through River: the sample goes out, the idle send job
// queues campaign_ab_decide (once, however many workers ask), the job decides by the events
// already recorded (B's click) and releases the rest, whose send jobs mail them with B's
// subject; everyone gets one message.
func TestABRiver(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		to := addrs("rv", 30)
		e := newEnv(t, st, to, nil, nil, campaign.Options{Batch: 4, Concurrency: 2, Now: time.Now})
		sqlDB, pool, err := st.JobDB(ctx)
		if err != nil {
			t.Fatal(err)
		}
		const id = "campaign-ab-client"
		release, err := st.ClaimProcess(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		jc, err := jobs.Open(ctx, jobs.DB{SQLite: sqlDB, Postgres: pool}, jobs.Options{Service: idleRounds{}, Campaigns: e.svc, ID: id})
		if err != nil {
			t.Fatal(err)
		}
		defer jc.Close()
		e.svc.SetQueue(jc)
		c := e.createAB(t, "river-ab", campaign.ABTest{Variants: []campaign.Variant{{Subject: "Psst {{.Contact.first_name}}"}},
			SamplePercent: 40, Metric: campaign.MetricClicks, Wait: "0s"})
		c.Workers = 3
		if _, err := e.svc.Update(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := st.RecordEvent(ctx, track.Event{Workspace: e.ws, Campaign: c.ID, Kind: track.EventClick, Variant: 2, At: time.Now()}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := jc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer jc.Stop(ctx, 5*time.Second)
		deadline := time.Now().Add(time.Minute)
		for {
			got, err := e.svc.Campaign(ctx, e.ws, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.State == campaign.Finished {
				if got.ABDecision == nil || got.ABDecision.Winner != "B" || got.ABDecision.DecidedBy != "system:campaign_ab_decide" {
					t.Fatalf("decision = %+v", got.ABDecision)
				}
				break
			}
			if time.Now().After(deadline) {
				counts, _ := e.svc.Report(ctx, e.ws, c.ID)
				t.Fatalf("the campaign did not finish: %s, %+v", got.State, counts.ByState)
			}
			time.Sleep(50 * time.Millisecond)
		}
		got := e.subjects(t)
		per := map[string]int{}
		for _, a := range to {
			if len(got[a]) != 1 {
				t.Fatalf("%s got %d messages", a, len(got[a]))
			}
			per[variantOf(got[a][0])]++
		}
		if per["A"] != 6 || per["B"] != 24 {
			t.Fatalf("per variant %v, want A 6 (half the 12 of the sample) and B 24", per)
		}
		js, err := jc.List(ctx, jobs.Filter{Kind: jobs.KindCampaignABDecide})
		if err != nil || len(js) != 1 {
			t.Fatalf("decision jobs = %d, %v; want 1", len(js), err)
		}
	})
}

// TestABWaitSurvivesRestart: on both engines, the server that sent the sample stops during
// the wait (its River client gone); the next one queues the workers of the sending campaign
// at its start (EnsureWorkers), whose idle workers ask for the decision again and find the
// one job already waiting; that job, run (its wait cut short), decides once and the rest is
// mailed once. A campaign cancelled during the wait is left alone by its decision.
func TestABWaitSurvivesRestart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		to := addrs("rs", 16)
		e := newEnv(t, st, to, nil, nil, campaign.Options{Batch: 4, Concurrency: 2, Now: time.Now})
		open := func(id string) (*jobs.Client, func()) {
			sqlDB, pool, err := st.JobDB(ctx) // the pool is the client's: closed with it
			if err != nil {
				t.Fatal(err)
			}
			release, err := st.ClaimProcess(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			jc, err := jobs.Open(ctx, jobs.DB{SQLite: sqlDB, Postgres: pool}, jobs.Options{Service: idleRounds{}, Campaigns: e.svc, ID: id})
			if err != nil {
				t.Fatal(err)
			}
			e.svc.SetQueue(jc)
			if err := jc.Start(ctx); err != nil {
				t.Fatal(err)
			}
			return jc, func() { jc.Stop(ctx, 5*time.Second); jc.Close(); release() }
		}
		decideJobs := func(jc *jobs.Client) []jobs.Job {
			js, err := jc.List(ctx, jobs.Filter{Kind: jobs.KindCampaignABDecide})
			if err != nil {
				t.Fatal(err)
			}
			return js
		}
		first, stopFirst := open("ab-first")
		c := e.createAB(t, "restart", campaign.ABTest{Variants: []campaign.Variant{{Subject: "Psst {{.Contact.first_name}}"}},
			SamplePercent: 50, Wait: "1h"})
		cancelled := e.createAB(t, "cancelled", campaign.ABTest{Variants: []campaign.Variant{{Subject: "Psst"}}, SamplePercent: 25, Wait: "1h"})
		for _, id := range []int64{c.ID, cancelled.ID} {
			if _, err := e.svc.Start(ctx, e.ws, id); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(time.Minute)
		for len(decideJobs(first)) < 2 {
			if time.Now().After(deadline) {
				t.Fatal("no decision jobs were queued after the samples")
			}
			time.Sleep(50 * time.Millisecond)
		}
		// The sample's workers end once they have queued the decision: wait for that, so the
		// stop below finds no send job of the first server still running or retrying (which
		// would rightly keep EnsureWorkers from queueing new ones).
		for {
			have, err := first.CampaignJobs(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if have[[2]int64{e.ws, c.ID}] == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("the sample's send jobs did not end: %v", have)
			}
			time.Sleep(50 * time.Millisecond)
		}
		stopFirst()
		if err := e.svc.Cancel(ctx, e.ws, cancelled.ID); err != nil {
			t.Fatal(err)
		}
		sample := len(e.subjects(t))

		second, stopSecond := open("ab-second")
		defer stopSecond()
		have, err := second.CampaignJobs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.EnsureWorkers(ctx, func(ws, id int64) bool { return have[[2]int64{ws, id}] > 0 }); err != nil || n != 1 {
			t.Fatalf("EnsureWorkers = %d, %v; want the one sending campaign", n, err)
		}
		// The restarted workers go idle again and ask for the decision: still one job each.
		for {
			js, _ := second.List(ctx, jobs.Filter{Kind: jobs.KindCampaignSend})
			busy := false
			for _, j := range js {
				busy = busy || j.State == "available" || j.State == "running"
			}
			if !busy {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the restarted send jobs did not end")
			}
			time.Sleep(50 * time.Millisecond)
		}
		js := decideJobs(second)
		if len(js) != 2 {
			t.Fatalf("decision jobs after the restart: %d, want 2 (one per campaign)", len(js))
		}
		if n := len(e.subjects(t)); n != sample {
			t.Fatalf("mailed during the wait: %d messages, want the sample's %d", n, sample)
		}
		for _, j := range js {
			if _, err := second.Retry(ctx, j.ID); err != nil {
				t.Fatal(err)
			}
		}
		for {
			k, err := e.svc.Campaign(ctx, e.ws, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			done := 0
			for _, j := range decideJobs(second) {
				if j.State == "completed" {
					done++
				}
			}
			if k.State == campaign.Finished && done == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not finished: %s, %d decision jobs done", k.State, done)
			}
			time.Sleep(50 * time.Millisecond)
		}
		// Campaign c mailed each of the 16 once; the cancelled one only its sample of 4.
		got, total := e.subjects(t), 0
		for _, a := range to {
			if n := len(got[a]); n < 1 || n > 2 {
				t.Fatalf("%s got %d messages", a, n)
			}
			total += len(got[a])
		}
		if r, _ := e.svc.Report(ctx, e.ws, c.ID); total != 20 || r.ByState[campaign.Sent] != 16 {
			t.Fatalf("%d messages, campaign %+v; want 20 and 16 sent", total, r.ByState)
		}
		k, _ := e.svc.Campaign(ctx, e.ws, cancelled.ID)
		if k.State != campaign.Cancelled || k.ABDecision != nil {
			t.Fatalf("the cancelled campaign: %s, decision %+v", k.State, k.ABDecision)
		}
		if r, _ := e.svc.Report(ctx, e.ws, cancelled.ID); r.ByState[campaign.Held] != 12 {
			t.Fatalf("the cancelled campaign's rest: %+v, want 12 held (never sent)", r.ByState)
		}
	})
}

// TestABTemplateVariant: a variant may be a whole saved template; its parts are fixed at
// the start (an edit of the template afterwards changes nothing sent), and a 100% sample
// leaves nobody held and finishes without a decision.
func TestABTemplateVariant(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		to := addrs("tv", 6)
		e := newEnv(t, st, to, nil, nil, campaign.Options{Batch: 8, Concurrency: 2})
		e.svc.SetQueue(&decideQueue{})
		tp, err := e.svc.AddTemplate(ctx, campaign.Template{WorkspaceID: e.ws, Name: "alt",
			Content: campaign.Content{Subject: "Psst {{.Contact.first_name}}", HTML: "<p>the other body</p>"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Create(ctx, campaign.Campaign{WorkspaceID: e.ws, Name: "bad", Purpose: "newsletter", Lists: []int64{e.list},
			FromAddress: "news@sender.example", Content: campaign.Content{Subject: "x", Text: "y"},
			AB: &campaign.ABTest{Variants: []campaign.Variant{{TemplateID: tp.ID + 100}}}}); err == nil {
			t.Fatal("a variant naming no template was accepted")
		}
		c := e.createAB(t, "tmpl", campaign.ABTest{Variants: []campaign.Variant{{TemplateID: tp.ID}}, SamplePercent: 100})
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		tp.Subject, tp.HTML = "Changed", "<p>changed</p>"
		if _, err := e.svc.UpdateTemplate(ctx, tp); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil {
			t.Fatal(err)
		}
		per := map[string]int{}
		e.relay.mu.Lock()
		for _, msgs := range e.relay.got {
			for _, m := range msgs {
				body := string(m)
				switch {
				case strings.Contains(body, "Subject: Psst") && strings.Contains(body, "the other body"):
					per["B"]++
				case strings.Contains(body, "Subject: Hello"):
					per["A"]++
				default:
					per["?"]++
				}
			}
		}
		e.relay.mu.Unlock()
		if per["A"] != 3 || per["B"] != 3 {
			t.Fatalf("per variant %v, want 3 and 3 (and the template's edit after the start unused)", per)
		}
		if k, _ := e.svc.Campaign(ctx, e.ws, c.ID); k.State != campaign.Finished {
			t.Fatalf("state %s, want finished (nobody held)", k.State)
		}
	})
}
