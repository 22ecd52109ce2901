package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/verify"
)

type verifyCmd struct {
	Addresses []string `arg:"" optional:"" name:"address" help:"Addresses to check."`
	File      string   `type:"existingfile" help:"A file with one address per line, or a CSV file with an email column (else the first column is the address)."`
	List      string   `help:"Check the addresses of a list's contacts."`
	All       bool     `help:"Check every contact's address that was never checked or is due again (--days)."`
	Days      int      `default:"90" help:"With --list or --all: skip addresses checked within this many days (0: check all)."`
	Probe     bool     `help:"Also ask the receiving mail servers (SMTP RCPT, no message sent); needs the workspace setting verify.probe."`
	Offline   bool     `help:"Syntax, disposable/role/free lists and typos only: no DNS."`
	NoStore   bool     `name:"no-store" help:"Do not record the results (addresses given on the command line are not recorded by default)."`
	Workers   int      `default:"32" help:"Concurrent checks."`
	JSON      bool     `help:"Print one JSON result per line."`
}

func (c *verifyCmd) Run(ctx context.Context, cfg *config.Config) error {
	sources := 0
	for _, on := range []bool{len(c.Addresses) > 0, c.File != "", c.List != "", c.All} {
		if on {
			sources++
		}
	}
	if sources != 1 {
		return fmt.Errorf("give addresses, or one of --file, --list or --all")
	}
	if c.Offline && c.List == "" && !c.All && !app.DatabaseExists(cfg.DB) {
		// Nothing to read from a database and nothing to record: check with the built-in
		// lists rather than create an empty database.
		addrs, total, err := c.given()
		if err != nil {
			return err
		}
		return c.report(total, func(each func(verify.Result)) error {
			return verify.Offline(ctx, addrs, c.Workers, each)
		})
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		addrs, total, keep, err := c.addresses(ctx, a)
		if err != nil {
			return err
		}
		return c.report(total, func(each func(verify.Result)) error {
			return a.Verify.Check(ctx, a.Workspace.ID, addrs, verify.CheckOptions{Offline: c.Offline, Probe: c.Probe,
				Workers: c.Workers, Store: keep && !c.NoStore, InOrder: true}, each)
		})
	})
}

// report runs the checks, printing each result (in input order) and a summary.
func (c *verifyCmd) report(total int, run func(each func(verify.Result)) error) error {
	bar := countProgress(total, c.JSON)
	counts := map[verify.Verdict]int{}
	var mu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	enc := json.NewEncoder(out)
	err := run(func(r verify.Result) {
		mu.Lock()
		defer mu.Unlock()
		counts[r.Verdict]++
		if bar != nil {
			bar.Add(1)
		}
		if c.JSON {
			enc.Encode(r)
			return
		}
		if total <= 1000 || r.Verdict == verify.Undeliverable || r.Suggestion != "" {
			printVerification(out, r)
		}
	})
	if bar != nil {
		bar.Finish()
		fmt.Fprintln(os.Stderr)
	}
	out.Flush()
	if err != nil {
		return err
	}
	if !c.JSON && total > 1 {
		fmt.Fprintf(os.Stderr, "%d checked: %d deliverable, %d risky, %d undeliverable, %d unknown\n", total,
			counts[verify.Deliverable], counts[verify.Risky], counts[verify.Undeliverable], counts[verify.Unknown])
	}
	return nil
}

// given returns the addresses typed in or read from --file.
func (c *verifyCmd) given() (iter.Seq[string], int, error) {
	if len(c.Addresses) > 0 {
		return slices.Values(c.Addresses), len(c.Addresses), nil
	}
	f, err := os.Open(c.File)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	list, err := contact.ReadAddresses(f)
	if err != nil {
		return nil, 0, fmt.Errorf("read %s: %w", c.File, err)
	}
	return slices.Values(list), len(list), nil
}

// addresses returns what to check, how many, and whether to record the results (always for
// contacts' addresses, only on request for addresses typed in).
func (c *verifyCmd) addresses(ctx context.Context, a *app.App) (iter.Seq[string], int, bool, error) {
	if len(c.Addresses) > 0 || c.File != "" {
		addrs, n, err := c.given()
		return addrs, n, false, err
	}
	var before time.Time
	if c.Days > 0 {
		before = time.Now().AddDate(0, 0, -c.Days)
	}
	due, err := a.Verify.AddressesDue(ctx, a.Workspace.ID, c.List, before)
	return slices.Values(due), len(due), true, err
}

func printVerification(w *bufio.Writer, r verify.Result) {
	reasons := make([]string, len(r.Reasons))
	for i, x := range r.Reasons {
		reasons[i] = string(x)
	}
	fmt.Fprintf(w, "%-13s %s", r.Verdict, r.Address)
	if len(reasons) > 0 {
		fmt.Fprintf(w, "  (%s)", strings.Join(reasons, ", "))
	}
	if r.Suggestion != "" {
		fmt.Fprintf(w, "  did you mean %s?", r.Suggestion)
	}
	fmt.Fprintln(w)
}

// countProgress is a progress bar over n items, on a terminal only.
func countProgress(n int, quiet bool) *progressbar.ProgressBar {
	if quiet || n < 100 || !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	return progressbar.NewOptions(n, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetDescription("verifying"))
}

type settingCmd struct {
	Set struct {
		Name  string `arg:"" help:"Setting name (see setting ls)."`
		Value string `arg:"" help:"true or false."`
	} `cmd:"" help:"Change a workspace setting."`
	Ls struct{} `cmd:"" help:"Show the workspace settings."`
}

func (c *settingCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		if kctx.Command() == "setting set <name> <value>" {
			return a.Workspaces.SetSetting(ctx, a.Workspace.ID, c.Set.Name, c.Set.Value)
		}
		set, err := a.Workspaces.SettingValues(ctx, a.Workspace.ID)
		if err != nil {
			return err
		}
		tw := table()
		fmt.Fprintln(tw, "NAME\tVALUE\tMEANING")
		for _, x := range set {
			v := x.Value
			if !x.Set {
				v = "(not set)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", x.Name, v, x.Meaning)
		}
		return tw.Flush()
	})
}
