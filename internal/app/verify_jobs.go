package app

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/verify"
)

// VerifyJob is a bulk verification running in the background of the server. Jobs are
// stored: any server reports on them, and serve resumes the unfinished ones after a restart
// (addresses checked since the job started are not checked again).
type VerifyJob = verify.JobStatus

// jobProgressEvery bounds how often a running job writes its progress.
const jobProgressEvery = time.Second

// StartVerifyJob checks addresses (or, when addrs is empty, the addresses of the list — 0:
// every contact — not checked within days; days < 0: never checked) in the background and
// returns the job at once.
func (a *App) StartVerifyJob(ctx context.Context, ws int64, addrs []string, listID int64, days int) (VerifyJob, error) {
	if len(addrs) == 0 {
		var before time.Time
		switch {
		case days > 0:
			before = time.Now().AddDate(0, 0, -days)
		case days < 0:
			before = NeverChecked
		}
		var err error
		if addrs, err = a.AddressesDue(ctx, ws, listID, before); err != nil {
			return VerifyJob{}, err
		}
	}
	started := time.Now().UTC().Truncate(time.Microsecond)
	id, err := a.Store.CreateVerifyJob(ctx, ws, addrs, started)
	if err != nil {
		return VerifyJob{}, err
	}
	// The results are recorded as the starter's: the job outlives the request, not its author.
	a.runVerifyJob(audit.WithActor(a.jobs, audit.ActorFrom(ctx)), store.VerifyJobRow{ID: id, WorkspaceID: ws, Total: len(addrs),
		Verdicts: map[string]int{}, StartedAt: started}, addrs)
	return VerifyJob{ID: id, State: "running", Total: len(addrs), Verdicts: map[string]int{}, StartedAt: started}, nil
}

// runVerifyJob checks addrs on a goroutine, counting on from the job's stored progress.
func (a *App) runVerifyJob(ctx context.Context, j store.VerifyJobRow, addrs []string) {
	a.vjobs.Add(1)
	go func() {
		defer a.vjobs.Done()
		var mu sync.Mutex
		done, verdicts := j.Done, j.Verdicts
		if verdicts == nil {
			verdicts = map[string]int{}
		}
		last := time.Now()
		save := func(state, errText string) error {
			return a.Store.UpdateVerifyJob(ctx, j.WorkspaceID, j.ID, done, verdicts, state, errText)
		}
		err := a.VerifyAddresses(ctx, j.WorkspaceID, slices.Values(addrs), VerifyOptions{Store: true}, func(r verify.Result) {
			mu.Lock()
			defer mu.Unlock()
			done++
			verdicts[string(r.Verdict)]++
			if time.Since(last) >= jobProgressEvery {
				last = time.Now()
				if err := save("running", ""); err != nil {
					a.Log.Warn("record verification progress", "job", j.ID, "err", err)
				}
			}
		})
		mu.Lock()
		defer mu.Unlock()
		state, errText := "done", ""
		if err != nil {
			if ctx.Err() != nil {
				return // the server stops: the job stays running and is resumed at the next start
			}
			state, errText = "failed", err.Error()
			a.Log.Error("verification job", "job", j.ID, "err", err)
		}
		if err := save(state, errText); err != nil {
			a.Log.Error("record verification job", "job", j.ID, "err", err)
		}
	}()
}

// ResumeVerifyJobs restarts the unfinished jobs of every workspace, skipping the addresses
// checked since each job started. serve calls it at start.
func (a *App) ResumeVerifyJobs(ctx context.Context) error {
	jobs, err := a.Store.UnfinishedVerifyJobs(ctx)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		seen, err := a.Store.VerifiedSince(ctx, j.WorkspaceID, j.StartedAt)
		if err != nil {
			return err
		}
		var rest []string
		for _, addr := range j.Addresses {
			_, key, err := contact.CanonicalEmail(addr)
			if err != nil {
				key = addr
			}
			if !seen[key] {
				rest = append(rest, addr)
			}
		}
		j.Done = int64(j.Total - len(rest))
		a.Log.Info("resuming verification job", "job", j.ID, "left", len(rest), "of", j.Total)
		a.runVerifyJob(audit.WithActor(a.jobs, audit.Actor{Kind: audit.System, Name: "resumed verification job"}), j, rest)
	}
	return nil
}

// VerifyJobStatus returns a job of the workspace.
func (a *App) VerifyJobStatus(ctx context.Context, ws, id int64) (VerifyJob, error) {
	j, err := a.Store.VerifyJob(ctx, ws, id)
	if err != nil {
		return VerifyJob{}, err
	}
	return VerifyJob{ID: j.ID, State: j.State, Total: j.Total, Done: j.Done, Verdicts: j.Verdicts, Error: j.Error,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}, nil
}

// VerifyOne checks one address online (and with the probe when asked and allowed) and stores
// the result.
func (a *App) VerifyOne(ctx context.Context, ws int64, address string, probe bool) (verify.Result, error) {
	var out verify.Result
	err := a.VerifyAddresses(ctx, ws, slices.Values([]string{address}), VerifyOptions{Probe: probe, Store: true, Workers: 1},
		func(r verify.Result) { out = r })
	return out, err
}
