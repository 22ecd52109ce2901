package main

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
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
		n, err := a.EraseIdentifier(ctx, a.Workspace.ID, c.Kind, c.Value, cliActor(c.By))
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
		return store.InstanceWorkspace
	}
	return a.Workspace.ID
}

func cliActor(given string) string { return cmp.Or(given, "cli:"+cmp.Or(os.Getenv("USER"), "unknown")) }

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
		reqs := make([]app.SuppressRequest, len(c.Values))
		for i, v := range c.Values {
			reqs[i] = app.SuppressRequest{Kind: c.Kind, Value: v, Scope: c.Scope, Reason: c.Reason, ChannelIn: c.ChannelIn,
				By: cliActor(c.By), Note: c.Note, ReceivedAt: received, Country: c.Country}
		}
		added, dups, err := a.Suppress(ctx, c.ws(a), reqs)
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(added)
		}
		for _, e := range added {
			fmt.Printf("%d\t%s %s\t%s\t%s, effective now; deadline %s (%s)\n", e.ID, e.Kind, e.Value,
				cmp.Or(suppress.Scope{Channel: e.ScopeChannel, Purpose: e.ScopePurpose}.String(), "all"), e.Reason,
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
		e, err := a.Unsuppress(ctx, c.ws(a), c.ID, cliActor(c.By), c.Why, store.RoleCompliance)
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
	var ans app.CheckAnswer
	err := withApp(ctx, cfg, func(a *app.App) error {
		var err error
		ans, err = a.CheckSuppressed(ctx, a.Workspace.ID, c.Kind, c.Value, c.Channel, c.Purpose)
		return err
	})
	if err != nil {
		return err
	}
	if c.JSON {
		if err := json.NewEncoder(os.Stdout).Encode(ans); err != nil {
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
		err := a.Store.EachSuppression(ctx, c.ws(a), store.SuppressionFilter{Kind: c.Kind, Reason: c.Reason,
			IncludeRemoved: c.Removed, LateOnly: c.Late, Limit: c.Limit}, func(e store.Suppression) error {
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

type suppressImportCmd struct {
	listFlag
	File      string `arg:"" type:"existingfile" help:"A CSV file (header with value, email, phone or domain) or, with --registry, a registry download."`
	Registry  bool   `help:"The file is a US National Do Not Call Registry download (full or change file; .gz accepted)."`
	Fetched   string `help:"With --registry: when the file was downloaded (YYYY-MM-DD); default now."`
	Reason    string `default:"manual" help:"Reason of rows without a reason column."`
	Scope     string `default:"all" help:"Scope of rows without a scope column."`
	ChannelIn string `name:"channel-in" help:"Intake channel of rows without a channel_in column."`
	By        string `help:"Who records them; default cli:<user>."`
	JSON      bool   `help:"Print the report as JSON."`
}

func (c *suppressImportCmd) Run(ctx context.Context, cfg *config.Config) error {
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	var fetched time.Time
	if c.Fetched != "" {
		if fetched, err = parseCLITime(c.Fetched); err != nil {
			return fmt.Errorf("--fetched: %w", err)
		}
	}
	bar := newProgress(fileSize(f), "recording")
	return withApp(ctx, cfg, func(a *app.App) error {
		var rep app.SuppressImportReport
		var err error
		if c.Registry {
			rep, err = a.ImportRegistry(ctx, c.ws(a), bar.reader(f), app.RegistryImportOptions{Fetched: fetched, By: cliActor(c.By), Name: c.File})
		} else {
			rep, err = a.ImportSuppressions(ctx, c.ws(a), bar.reader(f), app.SuppressImportOptions{Reason: c.Reason, Scope: c.Scope,
				ChannelIn: c.ChannelIn, By: cliActor(c.By), Name: c.File})
		}
		bar.done()
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(rep)
		}
		fmt.Printf("%d rows: %d added, %d already listed, %d removed, %d not recorded\n", rep.Rows, rep.Added, rep.Duplicates, rep.Removed, len(rep.Errors))
		unit := "row"
		if c.Registry {
			unit = "line"
		}
		for _, e := range rep.Errors {
			fmt.Fprintf(os.Stderr, "%s %d (%q): %s\n", unit, e.Row, e.Value, e.Error)
		}
		if rep.Stale {
			fmt.Fprintln(os.Stderr, "warning: this registry file is more than 31 days old; download a fresh one before calling")
		}
		return nil
	})
}

type suppressExportCmd struct {
	listFlag
	Removed bool `help:"Include removed entries."`
}

func (c *suppressExportCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		w := csv.NewWriter(os.Stdout)
		w.Write([]string{"id", "kind", "value", "hash", "scope", "reason", "channel_in", "recorded_by", "received_at", "recorded_at",
			"deadline", "deadline_rule", "removed_at", "removed_reason"})
		err := a.Store.EachSuppression(ctx, c.ws(a), store.SuppressionFilter{IncludeRemoved: c.Removed}, func(e store.Suppression) error {
			removed := ""
			if e.RemovedAt != nil {
				removed = e.RemovedAt.Format(time.RFC3339)
			}
			rec := []string{strconv.FormatInt(e.ID, 10), e.Kind, e.Value, hex.EncodeToString(e.Hash),
				suppress.Scope{Channel: e.ScopeChannel, Purpose: e.ScopePurpose}.String(), e.Reason, e.ChannelIn, e.RecordedBy,
				e.ReceivedAt.Format(time.RFC3339), e.RecordedAt.Format(time.RFC3339), e.Deadline.Format(time.RFC3339),
				e.DeadlineRule, removed, e.RemovedReason}
			for i := range rec {
				rec[i] = contact.NeutralizeCell(rec[i])
			}
			return w.Write(rec)
		})
		w.Flush()
		return cmp.Or(err, w.Error())
	})
}

type suppressScreenCmd struct {
	File    string `arg:"" type:"existingfile" help:"CSV file with a header; '-' is not accepted (the report needs the file)."`
	Column  string `help:"The column with the identifier; default email, phone or value."`
	Channel string `help:"The channel the file is for: email, phone or sms; default: any."`
	Purpose string `help:"The purpose the file is for; default: any."`
	JSON    bool   `help:"Print the report to stderr as JSON."`
}

func (c *suppressScreenCmd) Run(ctx context.Context, cfg *config.Config) error {
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	return withApp(ctx, cfg, func(a *app.App) error {
		rep, err := a.ScreenFile(ctx, a.Workspace.ID, f, os.Stdout, c.Column, c.Channel, c.Purpose)
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stderr).Encode(rep)
		}
		fmt.Fprintf(os.Stderr, "%d rows: %d kept, %d blocked, %d unreadable (left out)\n", rep.Rows, rep.Kept, rep.Blocked, rep.Invalid)
		return nil
	})
}

type suppressAuditCmd struct {
	listFlag
	After int64 `help:"Only lines after this id."`
	Limit int   `default:"100" help:"At most this many."`
}

func (c *suppressAuditCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		lines, err := a.Store.SuppressionAudit(ctx, c.ws(a), c.After, c.Limit)
		if err != nil {
			return err
		}
		tw := table()
		fmt.Fprintln(tw, "ID\tAT\tACTION\tENTRY\tACTOR\tDETAIL")
		for _, l := range lines {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", l.ID, l.At.Format(time.RFC3339), l.Action, l.SuppressionID, l.Actor, l.Detail)
		}
		return tw.Flush()
	})
}

type callListCmd struct {
	List    string `required:"" help:"The list to call."`
	Purpose string `help:"The purpose of the calls (entries limited to a purpose apply to it)."`
	At      string `help:"When the calls are made (RFC 3339); default now."`
	Window  string `default:"08:00-21:00" help:"Allowed local hours at the called number."`
	JSON    bool   `help:"Print the report to stderr as JSON."`
}

func (c *callListCmd) Run(ctx context.Context, cfg *config.Config) error {
	at := time.Now()
	if c.At != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, c.At); err != nil {
			return fmt.Errorf("--at %q: give an RFC 3339 time such as 2026-11-25T15:00:00-05:00", c.At)
		}
	}
	var from, to time.Time
	var err1, err2 error
	if len(c.Window) == 11 && c.Window[5] == '-' {
		from, err1 = time.Parse("15:04", c.Window[:5])
		to, err2 = time.Parse("15:04", c.Window[6:])
	}
	if len(c.Window) != 11 || err1 != nil || err2 != nil {
		return fmt.Errorf("--window %q: give it as HH:MM-HH:MM, e.g. 08:00-21:00", c.Window)
	}
	win := suppress.Window{Start: time.Duration(from.Hour())*time.Hour + time.Duration(from.Minute())*time.Minute,
		End: time.Duration(to.Hour())*time.Hour + time.Duration(to.Minute())*time.Minute}
	return withApp(ctx, cfg, func(a *app.App) error {
		rep, err := a.CallList(ctx, a.Workspace.ID, c.List, c.Purpose, at, win, os.Stdout)
		if err != nil {
			return err
		}
		if rep.StaleRegistry {
			fmt.Fprintln(os.Stderr, "warning: the last national registry import is more than 31 days old; import a fresh download before calling")
		}
		if c.JSON {
			return json.NewEncoder(os.Stderr).Encode(rep)
		}
		fmt.Fprintf(os.Stderr, "%d contacts: %d to call, %d without phone, %d on the do-not-contact list, %d outside the calling hours\n",
			rep.Contacts, rep.Kept, rep.NoPhone, rep.Suppressed, rep.OutsideHours)
		return nil
	})
}

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
			if err := app.CheckWebhookURL(c.Add.URL); err != nil {
				return err
			}
			h, err := a.Store.CreateWebhook(ctx, ws, c.Add.URL)
			if err != nil {
				return err
			}
			fmt.Printf("webhook %d: %s\nsigning secret (shown once): %s\n", h.ID, h.URL, hex.EncodeToString(h.Secret))
			fmt.Fprintln(os.Stderr, "Bodies are signed in the Clearlist-Signature header: t=<unix time>,v1=hex(HMAC-SHA256(secret, t + \".\" + body)).")
			return nil
		case "webhook disable <id>":
			return a.Store.DisableWebhook(ctx, ws, c.Disable.ID)
		case "webhook log <id>":
			ds, err := a.Store.Deliveries(ctx, ws, c.Log.ID, c.Log.Limit)
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
			hs, err := a.Store.Webhooks(ctx, ws)
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
