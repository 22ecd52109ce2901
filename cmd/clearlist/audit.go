package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/config"
)

type auditCmd struct {
	Ls struct {
		Limit  int    `default:"50" help:"Show at most this many entries (1 to 1000), newest first."`
		Entity string `help:"Only entries about this entity: contact, consent, list, suppression, token, webhook, setting, workspace."`
		JSON   bool   `name:"json" help:"Print JSON lines instead of a table."`
	} `cmd:"" help:"Show the latest changes: who changed what, when (personal values as keyed hashes)."`
	Verify struct {
		JSON bool `name:"json" help:"Print the result as JSON."`
	} `cmd:"" help:"Check the workspace's audit hash chain; names the first broken entry (exit 1)."`
}

func (c *auditCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		switch kctx.Command() {
		case "audit ls":
			es, err := a.Audit.List(ctx, a.Workspace.ID, audit.Filter{Entity: c.Ls.Entity, Limit: c.Ls.Limit})
			if err != nil {
				return err
			}
			return printAudit(es, c.Ls.JSON)
		default:
			r, err := a.Audit.Verify(ctx, a.Workspace.ID)
			if err != nil {
				return err
			}
			if c.Verify.JSON {
				if err := json.NewEncoder(os.Stdout).Encode(r); err != nil {
					return err
				}
			} else if r.Broken == nil {
				fmt.Printf("audit trail intact: %d entries (head %s)\n", r.Entries, r.Head)
			}
			if r.Broken != nil {
				return r.Broken
			}
			return nil
		}
	})
}

func printAudit(es []audit.Entry, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(os.Stdout)
		for _, e := range es {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	tw := table()
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tACTION\tENTITY\tCHANGES")
	for _, e := range es {
		actor := string(e.Actor.Kind)
		if e.Actor.ID != "" {
			actor += ":" + clip(e.Actor.ID, 24)
		}
		if e.Actor.Role != "" {
			actor += " (" + e.Actor.Role + ")"
		}
		var ch []string
		for _, c := range e.Changes {
			ch = append(ch, fmt.Sprintf("%s: %s→%s", c.Field, clip(c.Before, 22), clip(c.After, 22)))
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s %s\t%s\n", e.Seq, e.RecordedAt.Format(time.RFC3339), actor, e.Action,
			e.Entity, e.EntityID, strings.Join(ch, "; "))
	}
	return tw.Flush()
}

// auditCLIActor is who a command line acts as in the audit trail: the OS user, and the command.
func auditCLIActor(command string) audit.Actor {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return audit.Actor{Kind: audit.CLI, ID: name, Name: "clearlist " + command, RequestID: audit.NewRequestID()}
}
