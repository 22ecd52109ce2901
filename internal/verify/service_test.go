package verify_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/verify"
	"github.com/clearlist/clearlist/internal/verify/verifytest"
)

// TestRunJob: a job stopped half-way (its context cancelled) stays running with its progress;
// run again it checks only the rest and counts each address once; run once more, or for
// another workspace, it does nothing.
func TestRunJob(t *testing.T) {
	dns := verifytest.Zone(t)
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		w, err := st.EnsureWorkspace(ctx, "jobs")
		if err != nil {
			t.Fatal(err)
		}
		svc := verify.NewService(st, verify.Config{DNSServer: dns}, nil)
		addrs := []string{"a@mail.test", "b@nullmx.test", "c@gone.test", "Info@Mail.test"}
		started := time.Now().Add(-time.Minute).UTC().Truncate(time.Microsecond)
		id, err := st.CreateVerifyJob(ctx, w.ID, addrs, started)
		if err != nil {
			t.Fatal(err)
		}
		// One address was checked (and stored) by an earlier attempt.
		if err := svc.Check(ctx, w.ID, func(yield func(string) bool) { yield("b@nullmx.test") }, verify.CheckOptions{Store: true}, nil); err != nil {
			t.Fatal(err)
		}
		stopped, cancel := context.WithCancel(ctx)
		cancel()
		if err := svc.RunJob(stopped, w.ID, id); !errors.Is(err, context.Canceled) {
			t.Fatalf("RunJob with its context cancelled = %v; want it to ask for another attempt", err)
		}
		if j, _ := svc.JobStatus(ctx, w.ID, id); j.State != "running" {
			t.Fatalf("a stopped job is %+v; want it running", j)
		}
		if err := svc.RunJob(ctx, w.ID, id); err != nil {
			t.Fatal(err)
		}
		j, err := svc.JobStatus(ctx, w.ID, id)
		if err != nil || j.State != "done" || j.Done != 4 || j.Verdicts["undeliverable"] != 2 || j.FinishedAt == nil {
			t.Fatalf("finished job = %+v, %v", j, err)
		}
		if err := svc.RunJob(ctx, w.ID, id); err != nil {
			t.Fatalf("RunJob of a finished job = %v; want nothing done", err)
		}
		if again, _ := svc.JobStatus(ctx, w.ID, id); again.Done != 4 || !again.FinishedAt.Equal(*j.FinishedAt) {
			t.Fatalf("a finished job changed when run again: %+v", again)
		}
		if err := svc.RunJob(ctx, w.ID+1000, id); !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("RunJob for another workspace = %v; want ErrNotFound", err)
		}
		if _, err := svc.StartJob(ctx, w.ID, addrs, "", 0); err == nil {
			t.Fatal("StartJob without a queue accepted")
		}
	})
}
