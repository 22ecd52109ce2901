package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/suppress"
)

type suppressCmd struct {
	Add    suppressAddCmd    `cmd:"" help:"Put addresses, domains or phone numbers on the do-not-contact list."`
	Remove suppressRemoveCmd `cmd:"" help:"Take an entry off the list (needs a reason; kept in the audit trail)."`
	Check  suppressCheckCmd  `cmd:"" help:"Say whether an identifier may be contacted (exit 0 yes, 3 no, 1 error)."`
	Ls     suppressLsCmd     `cmd:"" help:"Show the entries (--late: those recorded after their deadline)."`
	Import suppressImportCmd `cmd:"" help:"Record the entries of a CSV file or a national do-not-call registry file."`
	Export suppressExportCmd `cmd:"" help:"Write the entries as CSV (erased ones as their hash)."`
	Screen suppressScreenCmd `cmd:"" help:"Copy a CSV file without the rows the list blocks."`
	Audit  suppressAuditCmd  `cmd:"" help:"Show the audit trail of the list."`
	Erase  suppressEraseCmd  `cmd:"" help:"Erasure: keep the person blocked by hash only, with no clear value left on the list."`
	Rules  suppressRulesCmd  `cmd:"" help:"Show the deadline rules (by channel and jurisdiction, with the law they cite)."`
}

type suppressRulesCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *suppressRulesCmd) Run() error {
	rules := suppress.DefaultRules()
	if c.JSON {
		return json.NewEncoder(os.Stdout).Encode(map[string]any{"version": rules.Version, "rules": rules.Rules()})
	}
	fmt.Printf("deadline rules %s (every matching rule binds; the earliest deadline wins; an unknown jurisdiction gets the strictest)\n\n", rules.Version)
	for _, r := range rules.Rules() {
		limit := fmt.Sprintf("%d hours", r.Hours)
		if r.BusinessDays > 0 {
			limit = fmt.Sprintf("%d business days (%s calendar)", r.BusinessDays, r.Calendar)
		}
		when := ""
		if r.When != "" {
			when = " — only with " + r.When
		}
		juris := strings.Join(r.Jurisdictions, " ")
		if len(juris) > 60 {
			juris = juris[:57] + "…"
		}
		fmt.Printf("%s: %s, in %s: %s%s\n  %s\n  %s\n\n", r.ID, strings.Join(r.Channels, "/"), juris, limit, when, r.Text, r.Citation)
	}
	fmt.Println("A workspace may set a shorter limit: clearlist setting set suppress.deadline_hours N")
	return nil
}

type suppressEraseCmd struct {
	Value string `arg:"" help:"The e-mail address, domain or phone number of the person whose data is erased."`
	Kind  string `help:"email, domain or phone; default: guessed."`
	By    string `help:"Who records it; default cli:<user>."`
}

func (c *suppressEraseCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		n, err := a.Suppressions.EraseIdentifier(ctx, a.Workspace.ID, c.Kind, c.Value, cliActor(c.By))
		if err != nil {
			return err
		}
		fmt.Printf("erased: %d entr(y/ies) now hold only the keyed hash; the identifier stays blocked on every channel\n", n)
		return nil
	})
}

// listFlag selects the workspace's list or the instance-wide one.
type listFlag struct {
	Instance bool `help:"Work on the instance-wide list, which screens every workspace (operators)."`
}

func (l listFlag) ws(a *app.App) int64 {
	if l.Instance {
		return suppress.InstanceWorkspace
	}
	return a.Workspace.ID
}

type suppressAddCmd struct {
	listFlag
	Values    []string `arg:"" name:"value" help:"E-mail addresses, domains or phone numbers."`
	Reason    string   `required:"" help:"unsubscribe, complaint, hard-bounce, request-phone, request-email, request-web, request-letter, request-in-person, erasure, national-registry, crm or manual."`
	Scope     string   `default:"all" help:"all, a channel (email, phone, sms), purpose:NAME or CHANNEL:NAME."`
	Kind      string   `help:"email, domain or phone; default: guessed from each value."`
	ChannelIn string   `name:"channel-in" help:"How the request came in (email, web, phone, letter, in-person, …); default from the reason."`
	Received  string   `help:"When the person asked (RFC 3339 or YYYY-MM-DD); default now. The deadline runs from it."`
	Country   string   `help:"The person's country (ISO 3166) for the deadline; default: a phone number's, else the strictest."`
	Note      string   `help:"A note kept with the entry."`
	By        string   `help:"Who records it; default cli:<user>."`
	JSON      bool     `help:"Print the entries as JSON."`
}

func (c *suppressAddCmd) Run(ctx context.Context, cfg *config.Config) error {
	var received time.Time
	if c.Received != "" {
		var err error
		if received, err = parseCLITime(c.Received); err != nil {
			return fmt.Errorf("--received: %w", err)
		}
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		reqs := make([]suppress.Intake, len(c.Values))
		for i, v := range c.Values {
			reqs[i] = suppress.Intake{Kind: c.Kind, Value: v, Scope: c.Scope, Reason: c.Reason, ChannelIn: c.ChannelIn,
				By: cliActor(c.By), Note: c.Note, ReceivedAt: received, Country: c.Country}
		}
		added, dups, err := a.Suppressions.Suppress(ctx, c.ws(a), reqs)
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(added)
		}
		for _, e := range added {
			fmt.Printf("%d\t%s %s\t%s\t%s, effective now; deadline %s (%s)\n", e.ID, e.Kind, e.Value,
				suppress.Scope{Channel: e.ScopeChannel, Purpose: e.ScopePurpose}, e.Reason,
				e.Deadline.Format(time.RFC3339), e.DeadlineRule)
		}
		if dups > 0 {
			fmt.Fprintf(os.Stderr, "%d already on the list with the same scope (the earlier entry stands)\n", dups)
		}
		return nil
	})
}

func parseCLITime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(time.DateOnly, s, time.Local); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q: give a date like 2026-11-25 or a time like 2026-11-25T14:30:00Z", s)
}

type suppressRemoveCmd struct {
	listFlag
	ID  int64  `arg:"" help:"Entry id (see suppress ls)."`
	Why string `required:"" help:"Why the entry is removed (kept in the audit trail)."`
	By  string `help:"Who removes it; default cli:<user>."`
}

func (c *suppressRemoveCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		// The command line is the operator's: it may lift any entry, with a reason.
		e, err := a.Suppressions.Unsuppress(ctx, c.ws(a), c.ID, cliActor(c.By), c.Why, access.RoleCompliance)
		if err != nil {
			return err
		}
		fmt.Printf("removed entry %d (%s %s, %s)\n", e.ID, e.Kind, cmp.Or(e.Value, "erased"), e.Reason)
		return nil
	})
}

type suppressCheckCmd struct {
	Value   string `arg:"" help:"An e-mail address, domain or phone number."`
	Kind    string `help:"email, domain or phone; default: guessed."`
	Channel string `help:"The channel you would use: email, phone or sms; default: any."`
	Purpose string `help:"The purpose you would contact for; default: any."`
	JSON    bool   `help:"Print the answer as JSON."`
}

func (c *suppressCheckCmd) Run(ctx context.Context, cfg *config.Config) error {
	var ans suppress.CheckAnswer
	var entries []suppress.Suppression
	err := withApp(ctx, cfg, func(a *app.App) error {
		var err error
		if ans, err = a.Suppressions.CheckSuppressed(ctx, a.Workspace.ID, c.Kind, c.Value, c.Channel, c.Purpose); err != nil || ans.Contactable {
			return err
		}
		entries, err = a.Suppressions.SuppressionsFor(ctx, a.Workspace.ID, c.Kind, c.Value)
		return err
	})
	if err != nil {
		return err
	}
	if c.JSON {
		out := struct {
			suppress.CheckAnswer
			Entries []suppress.Suppression `json:"entries,omitempty"`
		}{ans, entries}
		if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
			return err
		}
	} else if ans.Contactable {
		fmt.Printf("contactable: %s %s is not on the do-not-contact list for this channel and purpose\n", ans.Kind, ans.Identifier)
	} else {
		where := "the workspace's list"
		if ans.Instance {
			where = "the instance-wide list"
		}
		fmt.Printf("do not contact: %s %s is on %s (matched by an entry of kind %s, scope %s)\n", ans.Kind, ans.Identifier, where, ans.MatchedKind, ans.Scope)
		for _, e := range entries {
			fmt.Printf("  entry %d: %s %s, scope %s, reason %s, received %s by %s, recorded by %s\n", e.ID, e.Kind, cmp.Or(e.Value, "(erased)"),
				suppress.Scope{Channel: e.ScopeChannel, Purpose: e.ScopePurpose}, e.Reason, e.ReceivedAt.Format(time.DateOnly),
				cmp.Or(e.ChannelIn, "?"), e.RecordedBy)
		}
	}
	if !ans.Contactable {
		os.Exit(exitRefused)
	}
	return nil
}

type suppressLsCmd struct {
	listFlag
	Late    bool   `help:"Only entries recorded after their deadline (breaches)."`
	Removed bool   `help:"Include removed entries."`
	Reason  string `help:"Only entries of this reason."`
	Kind    string `help:"Only entries of this kind."`
	Limit   int    `default:"100" help:"At most this many (0: all)."`
	JSON    bool   `help:"Print JSON lines."`
}

func (c *suppressLsCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		tw := table()
		if !c.JSON {
			fmt.Fprintln(tw, "ID\tKIND\tVALUE\tSCOPE\tREASON\tRECEIVED\tDEADLINE\tRECORDED\tSTATE")
		}
		enc := json.NewEncoder(os.Stdout)
		err := a.Suppressions.EachEntry(ctx, c.ws(a), suppress.Filter{Kind: c.Kind, Reason: c.Reason,
			IncludeRemoved: c.Removed, LateOnly: c.Late, Limit: c.Limit}, func(e suppress.Suppression) error {
			if c.JSON {
				return enc.Encode(e)
			}
			state := "active"
			switch {
			case e.RemovedAt != nil:
				state = "removed " + e.RemovedAt.Format(time.DateOnly) + ": " + e.RemovedReason
			case e.Late():
				state = "LATE"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.Kind, cmp.Or(e.Value, "(erased)"),
				suppress.Scope{Channel: e.ScopeChannel, Purpose: e.ScopePurpose}, e.Reason, e.ReceivedAt.Format(time.DateOnly),
				e.Deadline.Format("2006-01-02 15:04"), e.RecordedAt.Format("2006-01-02 15:04"), state)
			return nil
		})
		if err != nil {
			return err
		}
		if !c.JSON {
			return tw.Flush()
		}
		return nil
	})
}
