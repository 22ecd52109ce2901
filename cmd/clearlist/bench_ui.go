package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/bench"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/workspace"
)

type benchUICmd struct {
	Contacts int    `default:"1000000" help:"How many contacts to generate and import."`
	Requests int    `default:"50" help:"How many times to request each page."`
	Dir      string `help:"Folder for the generated file (default: a temporary folder, removed after)."`
	JSON     bool   `help:"Print the result as JSON."`
}

func (c *benchUICmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.Contacts <= 0 || c.Requests <= 0 {
		return fmt.Errorf("--contacts and --requests must be positive")
	}
	dir := c.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "clearlist-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	// A fresh database, as for bench import.
	dsn, drop, err := bench.ScratchDSN(ctx, cfg.DB, dir, "clearlist_bench_")
	if err != nil {
		return err
	}
	defer drop()
	bcfg := *cfg
	bcfg.DB, bcfg.Workspace = dsn, workspace.Default
	bcfg.DataDir, bcfg.LogLevel = dir, "error"
	return withApp(ctx, &bcfg, func(a *app.App) error {
		res, err := bench.UI(ctx, a, c.Contacts, c.Requests, dir, func(s string) { fmt.Fprintln(os.Stderr, s) })
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(res)
		}
		fmt.Printf("engine %s, %d contacts (imported in %.0f s; report count %.1f s), each page %d times, signed in as owner\n",
			res.Engine, res.Contacts, res.ImportSecs, res.CountSecs, res.Requests)
		fmt.Printf("  %-34s %8s %8s %8s %8s %7s\n", "page", "p50 ms", "p95 ms", "max ms", "CPU ms", "bytes")
		for _, p := range res.Pages {
			fmt.Printf("  %-34s %8.1f %8.1f %8.1f %8.1f %7d\n", p.Name, p.P50, p.P95, p.Max, p.CPU, p.Bytes)
		}
		return nil
	})
}
