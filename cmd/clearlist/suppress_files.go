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
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/suppress"
)

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
		var rep suppress.ImportReport
		var err error
		if c.Registry {
			rep, err = a.Suppressions.ImportRegistry(ctx, c.ws(a), bar.reader(f), suppress.RegistryImportOptions{Fetched: fetched, By: cliActor(c.By), Name: c.File})
		} else {
			rep, err = a.Suppressions.ImportSuppressions(ctx, c.ws(a), bar.reader(f), suppress.ImportOptions{Reason: c.Reason, Scope: c.Scope,
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
		err := a.Suppressions.EachEntry(ctx, c.ws(a), suppress.Filter{IncludeRemoved: c.Removed}, func(e suppress.Suppression) error {
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
		rep, err := a.Suppressions.ScreenFile(ctx, a.Workspace.ID, f, os.Stdout, c.Column, c.Channel, c.Purpose)
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
		lines, err := a.Suppressions.AuditLines(ctx, c.ws(a), c.After, c.Limit)
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
