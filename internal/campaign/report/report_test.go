package report_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/campaign/report"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/track"
	"github.com/clearlist/clearlist/internal/workspace"
)

// env is a finished campaign of n recipients: the first sent of them sent, then failed,
// with events recorded.
type env struct {
	st  *store.Store
	wss *workspace.Service
	svc *report.Service
	ws  int64
	id  int64
	ids []int64
	at  time.Time
}

func newEnv(t *testing.T, st *store.Store, sent, failed int) *env {
	return newEnvTB(t, st, sent, failed)
}

func newEnvTB(t testing.TB, st *store.Store, sent, failed int) *env {
	t.Helper()
	ctx := context.Background()
	w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w.ID, Type: "api"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: w.ID, Name: "all"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	c, err := st.CreateCampaign(ctx, campaign.Campaign{WorkspaceID: w.ID, Name: "june", Purpose: "newsletter", Channel: "email",
		Lists: []int64{l.ID}, FromAddress: "news@example.org", Content: campaign.Content{Subject: "Hi", Text: "Hello"},
		State: campaign.Draft, Workers: 1, CreatedAt: now, UpdatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, wss: workspace.New(st), ws: w.ID, id: c.ID, at: now}
	e.svc = report.New(st, e.wss)
	var snap []campaign.Snapshot
	for i := range sent + failed {
		addr := fmt.Sprintf("p%02d@%s", i, []string{"gmail.example", "yahoo.example", "web.example"}[i%2+i/1000%2])
		k, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w.ID, Email: addr, EmailCanonical: addr,
			FirstSourceID: src.ID, Status: contact.StatusActive}, []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}
		e.ids = append(e.ids, k.ID)
		snap = append(snap, campaign.Snapshot{ContactID: k.ID, State: campaign.Queued})
	}
	if err := st.WriteDeliveries(ctx, w.ID, c.ID, true, snap, now); err != nil {
		t.Fatal(err)
	}
	claimed, err := st.ClaimCampaignDeliveries(ctx, w.ID, c.ID, "p", len(snap), now)
	if err != nil || len(claimed) != len(snap) {
		t.Fatalf("claim %d, %v", len(claimed), err)
	}
	var outs []campaign.Outcome
	for i, id := range e.ids {
		o := campaign.Outcome{ContactID: id, State: campaign.Sent, MessageID: fmt.Sprintf("m%d@x", i), Attempted: true, At: now}
		if i >= sent {
			o.State, o.SMTPCode, o.Reason = campaign.Failed, 550, "=HYPERLINK(\"x\")" // a relay's text is untrusted
		}
		outs = append(outs, o)
	}
	if err := st.RecordOutcomes(ctx, w.ID, c.ID, "p", outs); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) event(t *testing.T, contact int64, kind string, machine bool) {
	t.Helper()
	if err := e.st.RecordEvent(context.Background(), track.Event{Workspace: e.ws, Campaign: e.id, Contact: contact, Kind: kind,
		At: time.Date(2026, 6, 1, 10, 5, 0, 0, time.UTC), Machine: machine}); err != nil {
		t.Fatal(err)
	}
}

// TestSummary: counts and rates from the send log and the events; machines' opens are
// counted apart and left out of the rate; people are counted once.
func TestSummary(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, 8, 2)
		e.event(t, e.ids[0], track.EventOpen, false)
		e.event(t, e.ids[0], track.EventOpen, false)
		e.event(t, e.ids[1], track.EventOpen, false)
		e.event(t, e.ids[2], track.EventOpen, true)
		e.event(t, e.ids[1], track.EventClick, false)
		e.event(t, e.ids[3], track.EventUnsubscribed, false)
		e.event(t, e.ids[8], track.EventBounced, false)
		e.event(t, e.ids[4], track.EventComplained, false)
		r, err := e.svc.Summary(context.Background(), e.ws, e.id)
		if err != nil {
			t.Fatal(err)
		}
		if r.Recipients != 10 || r.Sent != 8 || r.Delivered != 8 || r.Failed != 2 || r.Bounced != 1 || r.Complained != 1 ||
			r.Unsubscribed != 1 || r.Opened != (report.Engagement{People: 3, Machine: 1, Unique: 2}) || r.Clicked.Unique != 1 {
			t.Fatalf("summary = %+v", r)
		}
		want := report.Rates{Delivery: 0.8, Failure: 0.2, Bounce: 0.125, Complaint: 0.125, Unsubscribe: 0.125, Open: 0.25, Click: 0.125}
		if r.Rates != want {
			t.Errorf("rates = %+v, want %+v", r.Rates, want)
		}
		if _, err := e.svc.Summary(context.Background(), e.ws, e.id+99); err == nil {
			t.Error("the summary of a campaign that does not exist")
		}
	})
}

// TestMembersPrivacy: with aggregate tracking only nobody is listed as having opened or
// clicked (and the refusal says why); with individual tracking they are; the other
// buckets list people either way.
func TestMembersPrivacy(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, 3, 1)
		e.event(t, e.ids[1], track.EventOpen, false)
		e.event(t, e.ids[2], track.EventUnsubscribed, false)
		for _, b := range []report.Bucket{report.Opened, report.Clicked} {
			_, _, err := e.svc.Members(ctx, e.ws, e.id, report.Page{Bucket: b})
			if !errors.Is(err, report.ErrAggregateOnly) || !errors.Is(err, campaign.ErrInvalid) ||
				!strings.Contains(err.Error(), report.SettingIndividual) {
				t.Errorf("%s with aggregate tracking: %v, want ErrAggregateOnly naming the setting", b, err)
			}
		}
		if ms, _, err := e.svc.Members(ctx, e.ws, e.id, report.Page{Bucket: report.Unsubscribed}); err != nil || len(ms) != 1 || ms[0].ContactID != e.ids[2] {
			t.Errorf("unsubscribed = %+v, %v", ms, err)
		}
		if err := e.wss.SetSetting(ctx, e.ws, report.SettingIndividual, "true"); err != nil {
			t.Fatal(err)
		}
		ms, _, err := e.svc.Members(ctx, e.ws, e.id, report.Page{Bucket: report.Opened})
		if err != nil || len(ms) != 1 || ms[0].ContactID != e.ids[1] || ms[0].Address != "p01@yahoo.example" {
			t.Errorf("opened with individual tracking = %+v, %v", ms, err)
		}
		if _, _, err := e.svc.Members(ctx, e.ws, e.id, report.Page{Bucket: "everyone"}); !errors.Is(err, campaign.ErrInvalid) {
			t.Errorf("unknown bucket: %v", err)
		}
	})
}

// TestExport: every member of a bucket, across pages, as CSV (formula cells defused) and
// JSON lines; the per-domain and per-hour reports agree with the totals.
func TestExport(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, 7, 3)
		var buf bytes.Buffer
		if err := e.svc.Export(ctx, e.ws, e.id, report.Sent, "csv", &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != 8 || recs[0][1] != "address" || recs[1][1] != "p00@gmail.example" || recs[1][6] != "2026-06-01T09:00:00Z" {
			t.Fatalf("csv = %v, %v", recs, err)
		}
		buf.Reset()
		if err := e.svc.Export(ctx, e.ws, e.id, report.Failed, "csv", &buf); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), `'=HYPERLINK`) {
			t.Errorf("a formula in a reason is not defused: %s", buf.String())
		}
		buf.Reset()
		if err := e.svc.Export(ctx, e.ws, e.id, report.Failed, "jsonl", &buf); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		var m report.Member
		if len(lines) != 3 || json.Unmarshal([]byte(lines[0]), &m) != nil || m.SMTPCode != 550 || m.State != "failed" {
			t.Errorf("jsonl = %q", buf.String())
		}
		if err := e.svc.Export(ctx, e.ws, e.id, report.Sent, "xml", &buf); !errors.Is(err, campaign.ErrInvalid) {
			t.Errorf("unknown format: %v", err)
		}
		// Pages of 3 cover the bucket once each.
		seen := map[int64]bool{}
		p := report.Page{Bucket: report.Sent, Limit: 3}
		for {
			ms, next, err := e.svc.Members(ctx, e.ws, e.id, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range ms {
				if seen[m.ContactID] {
					t.Fatalf("contact %d on two pages", m.ContactID)
				}
				seen[m.ContactID] = true
			}
			if next == 0 {
				break
			}
			p.After = next
		}
		if len(seen) != 7 {
			t.Errorf("pages gave %d members, want 7", len(seen))
		}
		doms, err := e.svc.Domains(ctx, e.ws, e.id)
		if err != nil || len(doms) != 2 || doms[0].Recipients+doms[1].Recipients != 10 || doms[0].Sent+doms[1].Sent != 7 {
			t.Errorf("domains = %+v, %v", doms, err)
		}
		hours, err := e.svc.Hours(ctx, e.ws, e.id)
		if err != nil || len(hours) != 1 || hours[0].Sent != 7 || hours[0].Failed != 3 ||
			!hours[0].Hour.Equal(time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)) {
			t.Errorf("hours = %+v, %v", hours, err)
		}
	})
}
