package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/config"
)

type bounceEventsCmd struct {
	Campaign int64  `help:"Only this campaign's events."`
	Before   int64  `help:"Continue before this event id."`
	Limit    int    `default:"50"`
	Format   string `enum:"table,json" default:"table"`
}

func (c *bounceEventsCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		evs, err := a.Bounces.Events(ctx, a.Workspace.ID, bounce.EventFilter{CampaignID: c.Campaign, Before: c.Before, Limit: c.Limit})
		if err != nil {
			return err
		}
		if c.Format == "json" {
			return printJSONValue(evs)
		}
		tw := table()
		fmt.Fprintln(tw, "ID\tAT\tKIND\tADDRESS\tCAMPAIGN\tREASON\tHARD\tVIA\tACTION")
		for _, e := range evs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%v\t%s\t%s\n", e.ID, e.At.Format(time.RFC3339), e.Kind, e.Address,
				e.CampaignID, e.Reason, e.Hard, e.Via, clip(e.Action, 60))
		}
		return tw.Flush()
	})
}

type bounceReviewsCmd struct {
	All    bool   `help:"Show decided reviews too."`
	Format string `enum:"table,json" default:"table"`
}

func (c *bounceReviewsCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		rs, err := a.Bounces.Reviews(ctx, a.Workspace.ID, c.All)
		if err != nil {
			return err
		}
		if c.Format == "json" {
			return printJSONValue(rs)
		}
		tw := table()
		fmt.Fprintln(tw, "ID\tRECEIVED\tADDRESS\tMATCHED\tSTATE\tEXCERPT")
		for _, r := range rs {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.ReceivedAt.Format(time.RFC3339), r.Address, r.Matched, r.State, clip(r.Excerpt, 80))
		}
		return tw.Flush()
	})
}

type bounceReviewCmd struct {
	ID      int64 `arg:"" help:"The review's id (clearlist bounce reviews)."`
	Stop    bool  `help:"The reply asks to stop: add the address to the do-not-contact list (reason request-email)." xor:"decision" required:""`
	Dismiss bool  `help:"The reply does not ask to stop." xor:"decision" required:""`
}

func (c *bounceReviewCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		by := "cli"
		if u, err := user.Current(); err == nil {
			by = "cli:" + u.Username
		}
		r, err := a.Bounces.Decide(ctx, a.Workspace.ID, c.ID, c.Stop, by)
		if errors.Is(err, bounce.ErrDecided) {
			return fmt.Errorf("%w: `clearlist bounce reviews --all` shows the decision", err)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "review %d: %s (%s)\n", r.ID, r.State, r.Address)
		return nil
	})
}
