package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/jobs"
)

type jobsCmd struct {
	Ls struct {
		Kind  string `help:"Only jobs of this kind (doi_expiry, implied_consent_lapse, reverify, webhook_deliveries, import)."`
		State string `help:"Only jobs in this state (available, scheduled, running, retryable, completed, cancelled, discarded)."`
		Limit int    `default:"50" help:"How many of the latest jobs to show (at most 1000)."`
		JSON  bool   `help:"Print JSON lines."`
	} `cmd:"" help:"Show the latest background jobs: kind, state, attempts, times."`
	Show struct {
		ID int64 `arg:""`
	} `cmd:"" help:"Show one job with its errors (JSON)."`
	Retry struct {
		ID int64 `arg:""`
	} `cmd:"" help:"Run a job again now (a failed, cancelled or finished one)."`
	Cancel struct {
		ID int64 `arg:""`
	} `cmd:"" help:"Cancel a job that has not finished."`
	RunNow struct {
		Kind string `arg:"" help:"doi_expiry, implied_consent_lapse, reverify or webhook_deliveries."`
	} `cmd:"" name:"run" help:"Queue a one-off run of a periodic job; a running serve works it."`
}

func (c *jobsCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		jc, err := a.OpenJobs(ctx, false)
		if err != nil {
			return err
		}
		defer jc.Close()
		ops, ws := a.JobOps(jc), a.Workspace.ID
		notFound := func(id int64, err error) error {
			if errors.Is(err, jobs.ErrNotFound) {
				return fmt.Errorf("job %d not found; see `clearlist jobs ls`", id)
			}
			return err
		}
		switch kctx.Command() {
		case "jobs ls":
			js, err := ops.List(ctx, jobs.Filter{Kind: c.Ls.Kind, State: c.Ls.State, Limit: c.Ls.Limit})
			if err != nil {
				return err
			}
			if c.Ls.JSON {
				enc := json.NewEncoder(os.Stdout)
				for _, j := range js {
					if err := enc.Encode(j); err != nil {
						return err
					}
				}
				return nil
			}
			tw := table()
			fmt.Fprintln(tw, "ID\tKIND\tSTATE\tATTEMPTS\tSCHEDULED\tFINISHED\tLAST ERROR")
			for _, j := range js {
				last := ""
				if len(j.Errors) > 0 {
					last = clip(j.Errors[len(j.Errors)-1], 60)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d/%d\t%s\t%s\t%s\n", j.ID, j.Kind, j.State, j.Attempt, j.MaxAttempts,
					j.ScheduledAt.Format(time.RFC3339), timeOrDash(j.FinalizedAt), last)
			}
			return tw.Flush()
		case "jobs show <id>":
			j, err := ops.Get(ctx, c.Show.ID)
			if err != nil {
				return notFound(c.Show.ID, err)
			}
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(j)
		case "jobs retry <id>":
			j, err := ops.Retry(ctx, ws, c.Retry.ID)
			if err != nil {
				return notFound(c.Retry.ID, err)
			}
			fmt.Printf("job %d (%s): %s, scheduled %s\n", j.ID, j.Kind, j.State, j.ScheduledAt.Format(time.RFC3339))
			return nil
		case "jobs cancel <id>":
			j, err := ops.Cancel(ctx, ws, c.Cancel.ID)
			if err != nil {
				return notFound(c.Cancel.ID, err)
			}
			fmt.Printf("job %d (%s): %s\n", j.ID, j.Kind, j.State)
			if j.State == "running" {
				fmt.Fprintln(os.Stderr, "The job is running; it is asked to stop and ends cancelled.")
			}
			return nil
		case "jobs run <kind>":
			j, err := ops.RunNow(ctx, ws, strings.TrimSpace(c.RunNow.Kind))
			if err != nil {
				return err
			}
			fmt.Printf("job %d (%s): %s; a running `clearlist serve` works it\n", j.ID, j.Kind, j.State)
			return nil
		}
		return fmt.Errorf("unknown command %q", kctx.Command())
	})
}

func timeOrDash(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format(time.RFC3339)
}
