package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/signup"
)

type doiCmd struct {
	Expire   doiExpireCmd   `cmd:"" help:"Expire sign-ups not confirmed within N days (records expired ledger entries)."`
	Stale    doiStaleCmd    `cmd:"" help:"List confirmed sign-ups older than N days that have not been sent a welcome message."`
	Welcomed doiWelcomedCmd `cmd:"" help:"Record that a sign-up's welcome message was sent."`
	Resend   doiResendCmd   `cmd:"" help:"Mail an open sign-up's confirmation link again, in the language the visitor signed up in (the earlier link stops working)."`
}

type doiExpireCmd struct {
	Days int `default:"7" help:"Sign-ups requested more than this many days ago and not confirmed expire."`
}

func (c *doiExpireCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.Days < 1 {
		return fmt.Errorf("--days %d: give at least 1", c.Days)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		n, err := a.Signups.Expire(ctx, a.Workspace.ID, time.Duration(c.Days)*24*time.Hour, time.Now().UTC())
		if err != nil {
			return err
		}
		fmt.Printf("expired %d unconfirmed sign-up(s)\n", n)
		return nil
	})
}

type doiStaleCmd struct {
	Days int  `default:"30" help:"Confirmed more than this many days ago."`
	JSON bool `help:"Print JSON lines."`
}

func (c *doiStaleCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.Days < 0 {
		return fmt.Errorf("--days %d: give 0 or more", c.Days)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		list, err := a.Signups.Stale(ctx, a.Workspace.ID, time.Duration(c.Days)*24*time.Hour, time.Now().UTC())
		if err != nil {
			return err
		}
		if c.JSON {
			enc := json.NewEncoder(os.Stdout)
			for _, sg := range list {
				if err := enc.Encode(sg.Signup); err != nil {
					return err
				}
			}
			return nil
		}
		return printSignups(list)
	})
}

func printSignups(list []signup.Stale) error {
	tw := table()
	fmt.Fprintln(tw, "SIGNUP\tCONTACT\tE-MAIL\tCONFIRMED\tLANGUAGE\tPURPOSES")
	for _, sg := range list {
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\n", sg.ID, sg.ContactID, sg.Email, sg.ConfirmedAt.Format("2006-01-02 15:04"),
			cmp.Or(sg.Lang, "en"), strings.Join(sg.Purposes, ","))
	}
	if len(list) == 0 {
		fmt.Fprintln(tw, "(none: every confirmed sign-up older than that has been welcomed)")
	}
	return tw.Flush()
}

type doiWelcomedCmd struct {
	ID int64 `arg:"" help:"Sign-up id (from doi stale)."`
}

func (c *doiWelcomedCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		return a.Signups.Welcomed(ctx, a.Workspace.ID, c.ID, time.Now().UTC())
	})
}

type doiResendCmd struct {
	ID int64 `arg:"" help:"Sign-up id (open: neither confirmed nor expired)."`
}

func (c *doiResendCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		r, err := a.Signups.Resend(ctx, a.Workspace.ID, c.ID)
		if err != nil {
			return err
		}
		fmt.Printf("sent sign-up %d's confirmation link again to %s (language %s); it works until %s\n", r.ID, r.Email,
			cmp.Or(r.Lang, "en"), r.ExpiresAt.Format("2006-01-02 15:04 MST"))
		return nil
	})
}
