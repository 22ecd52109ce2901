package verify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"
)

// JobProgressEvery bounds how often a running job records its progress.
const JobProgressEvery = time.Second

// StartJob records a bulk verification of addrs (or, when addrs is empty, of the addresses
// of the named list — "": every contact — not checked within days; days < 0: never checked)
// and hands it to the Queue, returning the job at once. The queue's job carries only the
// workspace and job ids; the addresses stay in the job's row.
func (s *Service) StartJob(ctx context.Context, ws int64, addrs []string, list string, days int) (JobStatus, error) {
	if s.queue == nil {
		return JobStatus{}, errors.New("verification jobs run in `clearlist serve`; check addresses here with `clearlist verify`")
	}
	if len(addrs) == 0 {
		var before time.Time
		switch {
		case days > 0:
			before = time.Now().AddDate(0, 0, -days)
		case days < 0:
			before = NeverChecked
		}
		var err error
		if addrs, err = s.AddressesDue(ctx, ws, list, before); err != nil {
			return JobStatus{}, err
		}
	}
	started := time.Now().UTC().Truncate(time.Microsecond)
	id, err := s.st.CreateVerifyJob(ctx, ws, addrs, started)
	if err != nil {
		return JobStatus{}, err
	}
	// Should the enqueue fail (or the process die before it), the job's row stays running
	// and RecoverJobs hands it to the queue at the next start of a server.
	if err := s.queue.EnqueueVerifyJob(ctx, ws, id); err != nil {
		return JobStatus{}, err
	}
	return JobStatus{ID: id, State: "running", Total: len(addrs), Verdicts: map[string]int{}, StartedAt: started}, nil
}

// RunJob works the stored job id of the workspace to its end: it checks the job's addresses
// not checked since the job started (so a job stopped or killed half-way resumes without
// checking or counting an address twice: the count is taken from the stored results),
// records its progress every JobProgressEvery and finishes it done or failed. A job no longer
// running is left alone. It returns an error only when the job should run again (ctx
// cancelled, or its progress could not be read or written); a failed check fails the job.
func (s *Service) RunJob(ctx context.Context, ws, id int64) error {
	j, err := s.st.VerifyJob(ctx, ws, id)
	if err != nil {
		return err
	}
	if j.State != "running" {
		return nil
	}
	addrs, err := s.st.VerifyJobAddresses(ctx, ws, id)
	if err != nil {
		return err
	}
	seen, err := s.st.VerifiedSince(ctx, ws, j.StartedAt)
	if err != nil {
		return err
	}
	var done int64
	verdicts := map[string]int{}
	var rest []string
	for _, addr := range addrs {
		if v, ok := seen[storageKey(addr)]; ok {
			done++
			verdicts[v]++
		} else {
			rest = append(rest, addr)
		}
	}
	if done > 0 {
		s.log.Info("resuming verification job", "verify_job", id, "left", len(rest), "of", len(addrs))
	}
	var mu sync.Mutex
	last := time.Now()
	save := func(state, errText string) error {
		return s.st.UpdateVerifyJob(context.WithoutCancel(ctx), ws, id, done, verdicts, state, errText)
	}
	err = s.Check(ctx, ws, slices.Values(rest), CheckOptions{Store: true}, func(r Result) {
		mu.Lock()
		defer mu.Unlock()
		done++
		verdicts[string(r.Verdict)]++
		if time.Since(last) >= JobProgressEvery {
			last = time.Now()
			if err := save("running", ""); err != nil {
				s.log.Warn("record verification progress", "verify_job", id, "err", err)
			}
		}
	})
	mu.Lock()
	defer mu.Unlock()
	state, errText := "done", ""
	if err != nil {
		if ctx.Err() != nil {
			save("running", "")
			return ctx.Err() // stopped: the job stays running and runs again
		}
		state, errText = "failed", err.Error()
		s.log.Error("verification job", "verify_job", id, "err", err)
	}
	return save(state, errText)
}

// JobStatus returns a job of the workspace; errs.ErrNotFound when it has none of that id.
func (s *Service) JobStatus(ctx context.Context, ws, id int64) (JobStatus, error) {
	j, err := s.st.VerifyJob(ctx, ws, id)
	if err != nil {
		return JobStatus{}, err
	}
	return JobStatus{ID: j.ID, State: j.State, Total: j.Total, Done: j.Done, Verdicts: j.Verdicts, Error: j.Error,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}, nil
}

// MaxJobList caps one page of Jobs.
const MaxJobList = 1000

// Jobs returns a page of the workspace's jobs, newest first: those with an id below before
// (0: from the newest), at most limit (1 to MaxJobList; 0 means 50).
func (s *Service) Jobs(ctx context.Context, ws, before int64, limit int) ([]JobStatus, error) {
	if limit < 0 || limit > MaxJobList {
		return nil, fmt.Errorf("limit %d: give a number from 1 to %d", limit, MaxJobList)
	}
	if limit == 0 {
		limit = 50
	}
	rows, err := s.st.VerifyJobList(ctx, ws, before, limit)
	if err != nil {
		return nil, err
	}
	out := make([]JobStatus, len(rows))
	for i, j := range rows {
		out[i] = JobStatus{ID: j.ID, State: j.State, Total: j.Total, Done: j.Done, Verdicts: j.Verdicts, Error: j.Error,
			StartedAt: j.StartedAt, FinishedAt: j.FinishedAt}
	}
	return out, nil
}

// JobRef names a stored job.
type JobRef struct{ WorkspaceID, ID int64 }

// UnfinishedJobs returns the jobs of every workspace whose row says they are running, for a
// starting server to make sure each has a queued job.
func (s *Service) UnfinishedJobs(ctx context.Context) ([]JobRef, error) {
	js, err := s.st.UnfinishedVerifyJobs(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]JobRef, len(js))
	for i, j := range js {
		out[i] = JobRef{WorkspaceID: j.WorkspaceID, ID: j.ID}
	}
	return out, nil
}

// RequeueUnfinished hands every job whose row says it is running to enqueue (a starting
// server's job client; one already queued or running is not queued twice there). It covers
// a job whose enqueue was lost and the jobs of a database from before verification ran on
// River.
func (s *Service) RequeueUnfinished(ctx context.Context, enqueue func(ctx context.Context, ws, id int64) error) error {
	refs, err := s.UnfinishedJobs(ctx)
	if err != nil {
		return err
	}
	for _, r := range refs {
		if err := enqueue(ctx, r.WorkspaceID, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// VerifyImported checks the addresses of an import's list (or workspace) that were never
// checked, as `clearlist import --verify` does, in a verification job whose results are
// stored as they come; log is the import's (imports.Config.AfterUpload).
func (s *Service) VerifyImported(ctx context.Context, ws int64, list string, log *slog.Logger) {
	j, err := s.StartJob(ctx, ws, nil, list, -1)
	if err != nil {
		log.Error("verify imported addresses", "err", err)
		return
	}
	log.Info("verifying imported addresses", "verify_job", j.ID, "addresses", j.Total)
}
