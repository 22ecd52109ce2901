package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
)

type webhookCmd struct {
	Add struct {
		URL string `arg:"" help:"Where to post every change of the do-not-contact list."`
	} `cmd:"" help:"Add a webhook; its signing secret is shown once."`
	Ls      struct{} `cmd:"" help:"Show the webhooks."`
	Disable struct {
		ID int64 `arg:""`
	} `cmd:"" help:"Stop a webhook (its log stays)."`
	Log struct {
		ID    int64 `arg:""`
		Limit int   `default:"20"`
	} `cmd:"" help:"Show a webhook's recent deliveries."`
}

func (c *webhookCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ws := a.Workspace.ID
		switch kctx.Command() {
		case "webhook add <url>":
			h, err := a.Webhooks.Create(ctx, ws, c.Add.URL)
			if err != nil {
				return err
			}
			fmt.Printf("webhook %d: %s\nsigning secret (shown once): %s\n", h.ID, h.URL, hex.EncodeToString(h.Secret))
			fmt.Fprintln(os.Stderr, "Bodies are signed in the Clearlist-Signature header: t=<unix time>,v1=hex(HMAC-SHA256(secret, t + \".\" + body)).")
			return nil
		case "webhook disable <id>":
			return a.Webhooks.Disable(ctx, ws, c.Disable.ID)
		case "webhook log <id>":
			ds, err := a.Webhooks.Log(ctx, ws, c.Log.ID, c.Log.Limit)
			if err != nil {
				return err
			}
			tw := table()
			fmt.Fprintln(tw, "ID\tEVENT\tCREATED\tATTEMPTS\tSTATE\tLAST STATUS\tLAST ERROR")
			for _, d := range ds {
				state := "pending, next " + d.NextAt.Format(time.RFC3339)
				switch {
				case d.DeliveredAt != nil:
					state = "delivered " + d.DeliveredAt.Format(time.RFC3339)
				case d.FailedAt != nil:
					state = "gave up " + d.FailedAt.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%d\t%s\n", d.ID, d.Event, d.CreatedAt.Format(time.RFC3339), d.Attempts, state, d.LastStatus, clip(d.LastError, 60))
			}
			return tw.Flush()
		default:
			hs, err := a.Webhooks.List(ctx, ws)
			if err != nil {
				return err
			}
			tw := table()
			fmt.Fprintln(tw, "ID\tURL\tCREATED\tDISABLED")
			for _, h := range hs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", h.ID, h.URL, h.CreatedAt.Format(time.DateOnly), fmtTime(h.DisabledAt))
			}
			return tw.Flush()
		}
	})
}
