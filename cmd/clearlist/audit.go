package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"strconv"
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
	} `cmd:"" help:"Check the workspace's audit hash chain (from its retention anchor, if pruned); names the first broken entry (exit 1)."`
	Prune struct {
		Days int  `help:"Remove entries older than this many days (default: the workspace's audit.retention_days setting)."`
		JSON bool `name:"json" help:"Print the result as JSON."`
	} `cmd:"" help:"Remove entries older than the retention now (serve does it daily), keeping the chain verifiable from an anchor."`
}

func (c *auditCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		switch kctx.Command() {
		case "audit prune":
			return c.prune(ctx, a)
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
			} else if r.Broken == nil && r.Anchor != nil {
				fmt.Printf("audit trail intact: %d entries after the anchor at seq %d (%s, pruned %s) (head %s)\n",
					r.Entries, r.Anchor.Seq, r.Anchor.Hash.Short(), r.Anchor.PrunedAt.Format(time.RFC3339), r.Head)
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

func (c *auditCmd) prune(ctx context.Context, a *app.App) error {
	days := c.Prune.Days
	if days < 0 {
		return fmt.Errorf("--days %d: give a positive number of days", days)
	}
	if days == 0 {
		var err error
		if days, err = a.Audit.Retention(ctx, a.Workspace.ID); err != nil {
			return err
		}
		if days == 0 {
			return fmt.Errorf("the workspace keeps its audit trail for ever: give --days, or set a retention with `clearlist setting set %s DAYS`", audit.RetentionSetting)
		}
	}
	r, err := a.Audit.Prune(ctx, a.Workspace.ID, days, time.Now())
	if err != nil {
		return err
	}
	if c.Prune.JSON {
		return json.NewEncoder(os.Stdout).Encode(r)
	}
	if r.Removed == 0 {
		fmt.Printf("no audit entries older than %d days\n", days)
		return nil
	}
	fmt.Printf("removed %d audit entries older than %d days; the chain now starts after seq %d (%s)\n",
		r.Removed, days, r.Anchor.Seq, r.Anchor.Hash.Short())
	return nil
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
	return audit.Actor{Kind: audit.CLI, ID: osUser(), Name: "clearlist " + command, RequestID: audit.NewRequestID()}
}

// osUser names the operating-system user running the command: the account's name, else
// $USER, $LOGNAME or $USERNAME, else the numeric user id ("uid-1000") — never "unknown".
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, v := range []string{"USER", "LOGNAME", "USERNAME"} {
		if name := strings.TrimSpace(os.Getenv(v)); name != "" {
			return name
		}
	}
	return "uid-" + strconv.Itoa(os.Getuid())
}

// cliActor is the actor a ledger entry records: the one given, else cli:<OS user>.
func cliActor(given string) string { return cmp.Or(given, "cli:"+osUser()) }
