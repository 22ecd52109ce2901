package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/bench"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/workspace"
)

type benchImportCmd struct {
	Rows int    `default:"1000000" help:"How many rows to generate and import."`
	Dir  string `help:"Folder for the generated file (default: a temporary folder, removed after)."`
	JSON bool   `help:"Print the result as JSON."`
	// Consent gives every row consent columns: two ledger entries each (grant and confirmation).
	Consent bool `help:"Give every row consent columns (sign-up time, IP, wording, confirmation time and IP): a granted and a confirmed ledger entry each; the chain is verified after."`
	// CPUProfile is for finding where an import's time goes (go tool pprof FILE).
	CPUProfile string `name:"cpu-profile" help:"Write a CPU profile of the run to this file (read it with go tool pprof)." type:"path"`
}

func (c *benchImportCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.Rows <= 0 {
		return fmt.Errorf("--rows must be positive")
	}
	if c.CPUProfile != "" {
		f, err := os.Create(c.CPUProfile)
		if err != nil {
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpu-profile: %w", err)
		}
		defer pprof.StopCPUProfile()
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
	// A fresh database (a new schema on PostgreSQL, a new file on SQLite) so that earlier
	// data neither slows the run nor is touched by it; it is removed afterwards.
	dsn, drop, err := bench.ScratchDSN(ctx, cfg.DB, dir, "clearlist_bench_")
	if err != nil {
		return err
	}
	defer drop()
	bcfg := *cfg
	bcfg.DB, bcfg.Workspace = dsn, workspace.Default
	return withApp(ctx, &bcfg, func(a *app.App) error {
		res, err := bench.Import(ctx, a, c.Rows, dir, bench.ImportOptions{Consent: c.Consent}, func(s string) { fmt.Fprintln(os.Stderr, s) })
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(res)
		}
		fmt.Printf("engine %s, %d rows (e-mail + 9 attributes), fresh database\n", res.Engine, res.Rows)
		fmt.Printf("  import (provenance + list membership): %8.0f rows/s  (%.1f s)\n", res.ImportRate, res.ImportSecs)
		fmt.Printf("  plain single-table bulk insert:        %8.0f rows/s  (%.1f s)\n", res.PlainRate, res.PlainSecs)
		fmt.Printf("  import / plain:                        %8.2f\n", res.Ratio)
		fmt.Printf("  peak resident memory during import:    %8.0f MiB\n", res.PeakRSSMiB)
		if c.Consent {
			fmt.Printf("  consent entries written:               %8d  (chain intact: %v, verified in %.1f s)\n",
				res.ConsentEntries, res.ChainIntact, res.VerifySecs)
		}
		return nil
	})
}
