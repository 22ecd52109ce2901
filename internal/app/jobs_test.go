package app

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/webhook"
	"github.com/riverqueue/river"
)

// startJobs opens a working job client on a and starts it; it is stopped at the end.
func startJobs(t *testing.T, a *App) *jobs.Client {
	t.Helper()
	jc, err := a.OpenJobs(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	if err := jc.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := jc.Stop(context.Background(), 10*time.Second); err != nil {
			t.Errorf("stop jobs: %v", err)
		}
		jc.Close()
	})
	return jc
}

// waitJobs waits until the client lists at least n jobs of the kind in the state; a minute
// without them fails the test (the wait bounds a hang; nothing is measured).
func waitJobs(t *testing.T, jc *jobs.Client, kind, state string, n int) []jobs.Job {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		js, err := jc.List(context.Background(), jobs.Filter{Kind: kind, State: state, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if len(js) >= n {
			return js
		}
		if time.Now().After(deadline) {
			all, _ := jc.List(context.Background(), jobs.Filter{Limit: 20})
			t.Fatalf("waited a minute for %d %s jobs %s; have %d; latest jobs: %+v", n, state, kind, len(js), all)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestJobsExpireSignups: the double opt-in expiry runs as a River periodic job and closes a
// sign-up that was not confirmed in time, with its expired ledger entry.
func TestJobsExpireSignups(t *testing.T) {
	for _, eng := range storetest.Engines() {
		t.Run(eng.Name, func(t *testing.T) {
			ctx := context.Background()
			e := newDOIEnv(t, eng.DSN(t), 1000)
			if code, body := e.postJSON(t, "default", jsonSignup("late@example.de", "newsletter")); code != 202 {
				t.Fatalf("subscribe: %d %s", code, body)
			}
			e.a.JobOptions.Now = func() time.Time { return time.Now().Add(8 * 24 * time.Hour) }
			jc := startJobs(t, e.a)
			done := waitJobs(t, jc, jobs.KindDOIExpiry, "completed", 1)
			if done[0].Attempt != 1 || done[0].FinalizedAt == nil {
				t.Fatalf("expiry job: %+v", done[0])
			}
			c, err := e.a.st.ContactByEmail(ctx, e.a.Workspace.ID, "late@example.de")
			if err != nil {
				t.Fatal(err)
			}
			s, err := e.a.st.ConsentState(ctx, e.a.Workspace.ID, c.ID, "newsletter", consent.Email)
			if err != nil || s.State != consent.StateExpired || s.Entry.Actor != "system:doi-expiry" {
				t.Fatalf("after the expiry job: %+v %v", s, err)
			}
			// The audit trail names the job (kind and id) as the one who closed the sign-up.
			es, err := e.a.st.AuditEntries(ctx, e.a.Workspace.ID, audit.Filter{Entity: "signup"})
			if err != nil {
				t.Fatal(err)
			}
			want := audit.Actor{Kind: audit.Job, ID: strconv.FormatInt(done[0].ID, 10), Name: jobs.KindDOIExpiry}
			if len(es) == 0 || es[0].Action != "signup.expire" || es[0].Actor != want {
				t.Fatalf("newest sign-up audit entry: %+v; want signup.expire by %+v", es, want)
			}
		})
	}
}

// TestJobsPeriodicOncePerPeriod: two job clients (two serve processes) on one PostgreSQL
// schema run a periodic job once per period, and the job cannot be inserted twice in one.
func TestJobsPeriodicOncePerPeriod(t *testing.T) {
	dsn := storetest.PostgresDSN(t)
	a1, a2 := openApp(t, dsn), openApp(t, dsn)
	c1, c2 := startJobs(t, a1), startJobs(t, a2)
	waitJobs(t, c1, jobs.KindDOIExpiry, "completed", 1)
	waitJobs(t, c2, jobs.KindImpliedLapse, "completed", 1)
	for _, c := range []*jobs.Client{c1, c2} {
		for args, period := range map[river.JobArgs]time.Duration{jobs.DOIExpiryArgs{}: expiryInterval, jobs.ImpliedLapseArgs{}: 24 * time.Hour} {
			_, dup, err := c.Enqueue(context.Background(), args, jobs.PeriodicOpts(period))
			if err != nil || !dup {
				t.Fatalf("a second %s job in the same period: duplicate %v, %v", args.Kind(), dup, err)
			}
		}
	}
	for _, kind := range []string{jobs.KindDOIExpiry, jobs.KindImpliedLapse, jobs.KindReverify} {
		js, err := c2.List(context.Background(), jobs.Filter{Kind: kind})
		if err != nil || len(js) != 1 {
			t.Fatalf("%s jobs this period: %d (%v); want 1 for both servers", kind, len(js), err)
		}
	}
}

// TestJobsWebhookDelivery: the webhook job delivers to a real HTTP server, retries a 500
// after the delivery's backoff, delivers exactly once, and the delivery shows its final state.
func TestJobsWebhookDelivery(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		var hits atomic.Int32
		var mu sync.Mutex
		var ids []string
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := hits.Add(1)
			mu.Lock()
			ids = append(ids, r.Header.Get("Clearlist-Delivery"))
			mu.Unlock()
			if n == 1 {
				w.WriteHeader(500)
			}
		}))
		defer srv.Close()
		h, err := a.Webhooks.Create(ctx, a.Workspace.ID, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		suppressOne(t, a, a.Workspace.ID, suppress.Intake{Value: "hook@example.org", Reason: "request-phone", Scope: "email"})

		var skew atomic.Int64
		a.JobOptions.Now = func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }
		a.JobOptions.Periods.Webhooks = 200 * time.Millisecond
		jc := startJobs(t, a)
		for hits.Load() < 1 {
			waitJobs(t, jc, jobs.KindWebhookDeliver, "completed", 1)
		}
		ds, err := a.Webhooks.Log(ctx, a.Workspace.ID, h.ID, 10)
		if err != nil || len(ds) != 1 || ds[0].Attempts != 1 || ds[0].DeliveredAt != nil || ds[0].LastStatus != 500 {
			t.Fatalf("after the 500: %+v %v", ds, err)
		}
		// Rounds before the backoff send nothing.
		before := len(waitJobs(t, jc, jobs.KindWebhookDeliver, "completed", 1))
		waitJobs(t, jc, jobs.KindWebhookDeliver, "completed", before+2)
		if n := hits.Load(); n != 1 {
			t.Fatalf("retried before the backoff: %d requests", n)
		}
		skew.Store(int64(webhook.Backoff(1) + webhook.Lease))
		for hits.Load() < 2 {
			time.Sleep(20 * time.Millisecond)
			waitJobs(t, jc, jobs.KindWebhookDeliver, "completed", 1)
		}
		// More rounds deliver nothing again.
		before = len(waitJobs(t, jc, jobs.KindWebhookDeliver, "completed", 1))
		waitJobs(t, jc, jobs.KindWebhookDeliver, "completed", before+3)
		if n := hits.Load(); n != 2 {
			t.Fatalf("%d requests; want the failed one and one delivery", n)
		}
		mu.Lock()
		if ids[0] == "" || ids[0] != ids[1] {
			t.Fatalf("the retry must carry the same delivery id: %q", ids)
		}
		mu.Unlock()
		ds, err = a.Webhooks.Log(ctx, a.Workspace.ID, h.ID, 10)
		if err != nil || len(ds) != 1 || ds[0].Attempts != 2 || ds[0].DeliveredAt == nil || ds[0].LastStatus != 200 {
			t.Fatalf("final state: %+v %v", ds, err)
		}
	})
}

// TestJobsAPI: GET /api/v1/jobs lists the jobs serve runs, with kind, state, attempts and
// times, to admin and compliance only.
func TestJobsAPI(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		tokens := roleTokens(t, a)
		base, stop := startServer(t, a)
		defer stop()
		type listing struct {
			Jobs []jobs.Job `json:"jobs"`
		}
		var got listing
		deadline := time.Now().Add(time.Minute)
		for len(got.Jobs) == 0 {
			code, body := apiCall(t, "GET", base+"/api/v1/jobs?kind=doi_expiry&state=completed", tokens["compliance"], "", "")
			if code != 200 {
				t.Fatalf("GET /api/v1/jobs: %d %s", code, body)
			}
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatal(err)
			}
			if time.Now().After(deadline) {
				t.Fatalf("no completed doi_expiry job listed within a minute: %s", body)
			}
			time.Sleep(50 * time.Millisecond)
		}
		j := got.Jobs[0]
		if j.Kind != jobs.KindDOIExpiry || j.State != "completed" || j.Attempt != 1 || j.FinalizedAt == nil || j.ScheduledAt.IsZero() {
			t.Fatalf("listed job: %+v", j)
		}
		if code, body := apiCall(t, "GET", base+"/api/v1/jobs", tokens["marketer"], "", ""); code != 403 {
			t.Fatalf("a marketer lists jobs: %d %s", code, body)
		}
		if code, body := apiCall(t, "GET", base+"/api/v1/jobs?state=stuck", tokens["admin"], "", ""); code != 422 || !strings.Contains(body, "state") {
			t.Fatalf("a state that does not exist: %d %s", code, body)
		}
	})
}

// TestJobsKillResume: serve is killed with SIGKILL while its webhook round is sending; the
// round is left running. Another server's rescuer takes it for lost, the next round sends
// the delivery again with the same delivery id (the receiver's idempotency key), once, and
// the delivery ends delivered.
func TestJobsKillResume(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		var hits atomic.Int32
		var mu sync.Mutex
		var ids []string
		first, release := make(chan struct{}), make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := hits.Add(1)
			mu.Lock()
			ids = append(ids, r.Header.Get("Clearlist-Delivery"))
			mu.Unlock()
			if n == 1 {
				close(first)
				select { // hangs until the sender dies, or the test ends
				case <-r.Context().Done():
				case <-release:
				}
			}
		}))
		defer srv.Close()
		defer close(release)
		h, err := a.Webhooks.Create(ctx, a.Workspace.ID, srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		suppressOne(t, a, a.Workspace.ID, suppress.Intake{Value: "kill@example.org", Reason: "request-phone", Scope: "email"})

		addrFile := filepath.Join(t.TempDir(), "addr")
		arg, _ := json.Marshal(childServeArgs{DSN: dsn, DataDir: t.TempDir(), AddrFile: addrFile})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childServeEnv+"="+string(arg))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		select {
		case <-first:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the child server sent no webhook within a minute")
		}
		cmd.Process.Kill() // SIGKILL
		cmd.Wait()

		look, err := a.OpenJobs(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		defer look.Close()
		if js, err := look.List(ctx, jobs.Filter{Kind: jobs.KindWebhookDeliver, State: "running"}); err != nil || len(js) != 1 {
			t.Fatalf("the killed server's round: %+v %v; want one left running", js, err)
		}

		// Another server; its clock is past the delivery's lease.
		a.JobOptions = jobs.Options{JobTimeout: 2 * time.Second, RescueStuckJobsAfter: 3 * time.Second,
			Now: func() time.Time { return time.Now().Add(webhook.Lease + time.Second) }}
		a.JobOptions.Periods.Webhooks = 200 * time.Millisecond
		jc := startJobs(t, a)
		deadline := time.Now().Add(2 * time.Minute)
		for hits.Load() < 2 {
			if time.Now().After(deadline) {
				t.Fatal("the delivery was not sent again within two minutes of the kill")
			}
			time.Sleep(50 * time.Millisecond)
		}
		before := len(waitJobs(t, jc, jobs.KindWebhookDeliver, "completed", 1))
		waitJobs(t, jc, jobs.KindWebhookDeliver, "completed", before+3)
		if n := hits.Load(); n != 2 {
			t.Fatalf("%d requests; want the one cut off by the kill and one delivery", n)
		}
		mu.Lock()
		if ids[0] == "" || ids[0] != ids[1] {
			t.Fatalf("the resent delivery must carry the same delivery id: %q", ids)
		}
		mu.Unlock()
		ds, err := a.Webhooks.Log(ctx, a.Workspace.ID, h.ID, 10)
		if err != nil || len(ds) != 1 || ds[0].DeliveredAt == nil || ds[0].LastStatus != 200 {
			t.Fatalf("final state: %+v %v", ds, err)
		}
		if js, err := jc.List(ctx, jobs.Filter{Kind: jobs.KindWebhookDeliver, State: "running"}); err != nil || len(js) > 1 {
			t.Fatalf("rounds still running after the rescue: %+v %v", js, err)
		}
	})
}
