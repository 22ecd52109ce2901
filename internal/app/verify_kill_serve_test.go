package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/jobs"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
	"github.com/clearlist/clearlist/internal/webhook"
)

// TestServeVerifyKilled kills `clearlist serve` with SIGKILL while it runs a verification job
// (slowed down by a DNS server that answers each query after 30 ms) and while its webhook
// round hangs on a receiver with deliveries pending. The restarted server takes up the
// killed one's River jobs at once — well before River's rescuer (5 minutes) would — so that
// the verification job finishes, resuming from what it recorded, with every address counted
// once; and each webhook delivery arrives once, the one cut off by the kill sent again with
// the same delivery id.
func TestServeVerifyKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a child process; skipped with -short")
	}
	dnsAddr := verifytest.SlowZone(t, 60*time.Millisecond)
	forEachEngine(t, func(t *testing.T, dsn string) {
		const total = 4000
		ctx := context.Background()
		a := openApp(t, dsn)
		useDNS(a, dnsAddr)
		_, token, err := a.st.CreateToken(ctx, a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}

		// A receiver that hangs on the first delivery until the sender dies, and records the
		// delivery id of each one it takes.
		var mu sync.Mutex
		taken := map[string]int{}
		var hung atomic.Bool
		first, release := make(chan string, 1), make(chan struct{})
		recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("Clearlist-Delivery")
			if hung.CompareAndSwap(false, true) {
				first <- id
				select {
				case <-r.Context().Done():
				case <-release:
				}
				return
			}
			mu.Lock()
			taken[id]++
			mu.Unlock()
		}))
		defer recv.Close()
		defer close(release)
		h, err := a.Webhooks.Create(ctx, a.Workspace.ID, recv.URL)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 3 {
			suppressOne(t, a, a.Workspace.ID, suppress.Intake{Value: fmt.Sprintf("hook%d@example.org", i), Reason: "request-phone", Scope: "email"})
		}

		// 1. The child server starts the job; it is killed once results are recorded.
		const child = "serve_killed_child"
		addrFile := filepath.Join(t.TempDir(), "addr")
		arg, _ := json.Marshal(childServeArgs{DSN: dsn, DataDir: t.TempDir(), AddrFile: addrFile, DNSServer: dnsAddr, JobClientID: child})
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childServeEnv+"="+string(arg))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		deadline := time.Now().Add(time.Minute)
		var addr []byte
		for addr, err = os.ReadFile(addrFile); err != nil; addr, err = os.ReadFile(addrFile) {
			if time.Now().After(deadline) {
				t.Fatal("the child server did not start within a minute")
			}
			time.Sleep(10 * time.Millisecond)
		}
		// The child's webhook round hangs on the receiver before the job starts, so that a slow
		// first round on a loaded machine cannot let the job finish before the kill.
		var hungID string
		select {
		case hungID = <-first:
		case <-time.After(time.Minute):
			t.Fatal("the child server sent no webhook within a minute")
		}
		addrs := make([]string, total)
		for i := range addrs {
			addrs[i] = fmt.Sprintf("user%d@host%d.test", i, i) // one DNS lookup each: no cache helps
		}
		body, _ := json.Marshal(map[string]any{"addresses": addrs})
		code, out := apiCall(t, "POST", "http://"+string(addr)+"/api/v1/verify/jobs", token, "application/json", string(body))
		if code != http.StatusAccepted {
			t.Fatalf("start the job: %d %s", code, out)
		}
		var j verify.JobStatus
		json.Unmarshal([]byte(out), &j)
		for {
			cur, err := a.Verify.JobStatus(ctx, a.Workspace.ID, j.ID)
			seen, err2 := a.st.VerifiedSince(ctx, a.Workspace.ID, j.StartedAt)
			if err == nil && err2 == nil && cur.Done > 0 && len(seen) >= 1000 {
				break
			}
			if cur.State != "running" || time.Now().After(deadline) {
				t.Fatalf("the child's job recorded no results before the kill: %+v, %d stored, %v %v", cur, len(seen), err, err2)
			}
			time.Sleep(5 * time.Millisecond)
		}
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		killed, _ := a.Verify.JobStatus(ctx, a.Workspace.ID, j.ID)
		if killed.State != "running" || killed.Done >= total {
			t.Fatalf("after the kill the job is %+v; want it running half-way", killed)
		}
		t.Logf("killed with %d of %d addresses counted", killed.Done, total)
		look, err := a.OpenJobs(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		defer look.Close()
		for _, kind := range []string{jobs.KindVerify, jobs.KindWebhookDeliver} {
			if js, err := look.List(ctx, jobs.Filter{Kind: kind, State: "running"}); err != nil || len(js) != 1 {
				t.Fatalf("the killed server's %s jobs: %+v %v; want one left running", kind, js, err)
			}
		}
		// The database notices the death (PostgreSQL: the session's end) before the restart.
		for alive := true; alive; time.Sleep(10 * time.Millisecond) {
			if alive, err = a.st.ProcessAlive(ctx, child); err != nil || time.Now().After(deadline) {
				t.Fatalf("the killed server still counts as alive: %v", err)
			}
		}

		// 2. A restarted server, with River's rescuer at its default delay and a clock past
		// the deliveries' lease, finishes both.
		a.JobOptions = jobs.Options{Now: func() time.Time { return time.Now().Add(webhook.Lease + time.Second) }}
		a.JobOptions.Periods.Webhooks = 200 * time.Millisecond
		_, stop := startServer(t, a)
		defer stop()
		restarted := time.Now()
		var done verify.JobStatus
		for {
			if done, err = a.Verify.JobStatus(ctx, a.Workspace.ID, j.ID); err != nil {
				t.Fatal(err)
			}
			if done.State != "running" {
				break
			}
			if time.Since(restarted) > 2*time.Minute {
				t.Fatalf("the job is not done two minutes after the restart: %+v", done)
			}
			time.Sleep(20 * time.Millisecond)
		}
		sum := 0
		for _, n := range done.Verdicts {
			sum += n
		}
		if done.State != "done" || done.Done != total || sum != total || done.Verdicts["undeliverable"] != total {
			t.Fatalf("after the restart the job is %+v; want done with each of the %d addresses counted once", done, total)
		}
		if seen, _ := a.st.VerifiedSince(ctx, a.Workspace.ID, j.StartedAt); len(seen) != total {
			t.Fatalf("%d results stored; want %d", len(seen), total)
		}
		t.Logf("the job finished %s after the restart", time.Since(restarted).Round(time.Millisecond))
		vj := waitJobs(t, look, jobs.KindVerify, "completed", 1) // River records the completion a moment later
		if len(vj) != 1 || vj[0].State != "completed" || vj[0].Attempt != 2 || len(vj[0].Errors) != 1 ||
			!strings.Contains(vj[0].Errors[0], child) {
			t.Fatalf("the verification's River job: %+v; want one, completed at its second attempt, the first ended by the kill", vj)
		}

		for {
			ds, err := a.Webhooks.Log(ctx, a.Workspace.ID, h.ID, 10)
			if err != nil {
				t.Fatal(err)
			}
			delivered := 0
			for _, d := range ds {
				if d.DeliveredAt != nil {
					delivered++
				}
			}
			if len(ds) == 3 && delivered == 3 {
				break
			}
			if time.Since(restarted) > 2*time.Minute {
				t.Fatalf("deliveries two minutes after the restart: %+v", ds)
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Second) // a few more rounds: nothing is sent again
		mu.Lock()
		defer mu.Unlock()
		if len(taken) != 3 || taken[hungID] != 1 {
			t.Fatalf("deliveries taken by id: %v (the one cut off by the kill: %s); want each of the three once", taken, hungID)
		}
		for id, n := range taken {
			if n != 1 {
				t.Fatalf("delivery %s taken %d times", id, n)
			}
		}
	})
}
