package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/transactional"
)

type transactionalCmd struct {
	Send struct {
		To       string            `required:"" help:"The recipient's address."`
		Purpose  string            `required:"" help:"A service (not marketing) purpose, e.g. security-notices."`
		Template string            `help:"A saved template (by name) as the message; or give the parts." xor:"msg"`
		Data     map[string]string `help:"Values for the template, KEY=VALUE ({{.Contact.KEY}}); repeat for more."`
		messageFlags
	} `cmd:"" help:"Send one service message at once on the transactional stream (setting transactional.from is the sender)."`
	Log struct {
		Before int64  `help:"Continue before this id."`
		Limit  int    `default:"50"`
		Format string `enum:"table,json" default:"table"`
	} `cmd:"" help:"Show the transactional send log, newest first."`
}

func (c *transactionalCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ws := a.Workspace.ID
		if kctx.Command() == "transactional log" {
			ss, err := a.Transactional.Sends(ctx, ws, c.Log.Before, c.Log.Limit)
			if err != nil {
				return err
			}
			if c.Log.Format == "json" {
				return printJSONValue(append([]transactional.Send{}, ss...))
			}
			tw := table()
			fmt.Fprintln(tw, "ID\tTO\tPURPOSE\tSTATE\tMESSAGE-ID\tREASON")
			for _, s := range ss {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", s.ID, s.Address, s.Purpose, s.State, s.MessageID, clip(s.Reason, 80))
			}
			return tw.Flush()
		}
		content, err := c.Send.content()
		if err != nil {
			return err
		}
		data := map[string]any{}
		for k, v := range c.Send.Data {
			data[k] = v
		}
		s, err := a.Transactional.Send(ctx, transactional.Request{WorkspaceID: ws, To: c.Send.To, Purpose: c.Send.Purpose,
			Template: strings.TrimSpace(c.Send.Template), Content: content, Data: data})
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stdout, "sent: %d <%s>\n", s.ID, s.MessageID)
		return nil
	})
}
