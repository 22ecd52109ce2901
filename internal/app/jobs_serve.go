package app

import (
	"cmp"
	"context"

	"github.com/clearlist/clearlist/internal/jobs"
)

// serveJobs opens serve's working job client under a fresh ID that this process claims for
// its lifetime, takes up at once the jobs left running by processes that are gone (a serve
// killed with SIGKILL), makes sure every unfinished verification job is queued, and starts
// working; stop stops the client and releases the claim.
func (a *App) serveJobs(ctx, bg context.Context) (jc *jobs.Client, stop func(context.Context), err error) {
	id := cmp.Or(a.JobOptions.ID, jobs.ServeID())
	release, err := a.st.ClaimProcess(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	jc, err = a.openJobs(ctx, true, id)
	if err != nil {
		release()
		return nil, nil, err
	}
	if n, err := jc.RescueOrphans(ctx, a.st.ProcessAlive); err != nil {
		a.Log.Error("take up the jobs of stopped servers", "err", err)
	} else if n > 0 {
		a.Log.Info("took up the jobs of stopped servers", "jobs", n)
	}
	if err := a.Verify.RequeueUnfinished(ctx, jc.EnqueueVerify); err != nil {
		a.Log.Error("queue unfinished verification jobs", "err", err)
	}
	if err := a.queueSendingCampaigns(ctx, jc); err != nil {
		a.Log.Error("queue the send jobs of sending campaigns", "err", err)
	}
	if err := jc.Start(bg); err != nil {
		jc.Close()
		release()
		return nil, nil, err
	}
	unuse := a.queue.use(jc)
	return jc, func(ctx context.Context) {
		unuse()
		if err := jc.Stop(ctx, cmp.Or(a.drain, importDrain)); err != nil {
			a.Log.Error("stop background jobs", "err", err)
		}
		jc.Close()
		release()
	}, nil
}
