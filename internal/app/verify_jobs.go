package app

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clearlist/clearlist/internal/verify"
)

// VerifyJob is a bulk verification running in the background of the server; its results
// are stored as they come, so a job lost with a restart loses only its progress counter.
type VerifyJob = verify.JobStatus

// verifyJob is a running job: its public state and its counters.
type verifyJob struct {
	VerifyJob
	workspace     int64
	done          atomic.Int64
	mu            sync.Mutex
	verdictCounts map[verify.Verdict]int
}

// verifyJobs are the jobs of this process.
type verifyJobs struct {
	mu   sync.Mutex
	next int64
	jobs map[int64]*verifyJob
}

// StartVerifyJob checks addresses (or, when addrs is empty, the addresses of the list — 0:
// every contact — not checked within days; days < 0: never checked) in the background and returns the job at once.
func (a *App) StartVerifyJob(ctx context.Context, ws int64, addrs []string, listID int64, days int) (VerifyJob, error) {
	if len(addrs) == 0 {
		var before time.Time
		switch {
		case days > 0:
			before = time.Now().AddDate(0, 0, -days)
		case days < 0:
			before = time.Unix(1, 0) // never checked only
		}
		var err error
		if addrs, err = a.AddressesDue(ctx, ws, listID, before); err != nil {
			return VerifyJob{}, err
		}
	}
	j := &verifyJob{VerifyJob: VerifyJob{State: "running", Total: len(addrs), StartedAt: time.Now().UTC()}, workspace: ws,
		verdictCounts: map[verify.Verdict]int{}}
	a.vjobs.mu.Lock()
	a.vjobs.next++
	j.ID = a.vjobs.next
	if a.vjobs.jobs == nil {
		a.vjobs.jobs = map[int64]*verifyJob{}
	}
	a.vjobs.jobs[j.ID] = j
	a.vjobs.mu.Unlock()
	go func() {
		err := a.VerifyAddresses(context.WithoutCancel(ctx), ws, slices.Values(addrs), VerifyOptions{Store: true}, func(r verify.Result) {
			j.done.Add(1)
			j.mu.Lock()
			j.verdictCounts[r.Verdict]++
			j.mu.Unlock()
		})
		j.mu.Lock()
		defer j.mu.Unlock()
		now := time.Now().UTC()
		j.FinishedAt, j.State = &now, "done"
		if err != nil {
			j.State, j.Error = "failed", err.Error()
			a.Log.Error("verification job", "job", j.ID, "err", err)
		}
	}()
	return j.snapshot(), nil
}

// VerifyJobStatus returns a job of the workspace.
func (a *App) VerifyJobStatus(ws, id int64) (VerifyJob, error) {
	a.vjobs.mu.Lock()
	j, ok := a.vjobs.jobs[id]
	a.vjobs.mu.Unlock()
	if !ok || j.workspace != ws {
		return VerifyJob{}, fmt.Errorf("verification job %d is not known to this server (jobs are kept until it restarts; results are stored either way)", id)
	}
	return j.snapshot(), nil
}

func (j *verifyJob) snapshot() VerifyJob {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := VerifyJob{ID: j.ID, State: j.State, Total: j.Total, Done: j.done.Load(), Error: j.Error, StartedAt: j.StartedAt,
		FinishedAt: j.FinishedAt, Verdicts: map[string]int{}}
	for v, n := range j.verdictCounts {
		out.Verdicts[string(v)] = n
	}
	return out
}

// VerifyOne checks one address online (and with the probe when asked and allowed) and stores
// the result.
func (a *App) VerifyOne(ctx context.Context, ws int64, address string, probe bool) (verify.Result, error) {
	var out verify.Result
	err := a.VerifyAddresses(ctx, ws, slices.Values([]string{address}), VerifyOptions{Probe: probe, Store: true, Workers: 1},
		func(r verify.Result) { out = r })
	return out, err
}
