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

type benchBounceCmd struct {
	Messages    int    `default:"20000" help:"How many DSNs to generate (one per recipient of a sent campaign) and ingest."`
	Batch       int    `default:"500" help:"Messages per batch (one transaction); 1 ingests one by one. Via SMTP: the server's largest batch."`
	Via         string `default:"file" enum:"file,smtp" help:"file: the bounce service's batch pipeline, as bounce ingest; smtp: send the DSNs to the inbound SMTP server on 127.0.0.1 over --connections concurrent connections (group commit)."`
	Connections int    `default:"32" help:"Concurrent SMTP connections with --via smtp."`
	Dir         string `help:"Folder for the generated contacts file (default: a temporary folder, removed after)."`
	CPUProfile  string `name:"cpu-profile" type:"path" help:"Write a CPU profile of the ingestion to this file."`
	JSON        bool   `help:"Print the result as JSON."`
}

func (c *benchBounceCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.Messages <= 0 || c.Batch <= 0 || c.Connections <= 0 {
		return fmt.Errorf("--messages, --batch and --connections must be positive")
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
		if c.CPUProfile != "" {
			f, err := os.Create(c.CPUProfile)
			if err != nil {
				return err
			}
			defer f.Close()
			if err := pprof.StartCPUProfile(f); err != nil {
				return err
			}
			defer pprof.StopCPUProfile()
		}
		res, err := bench.Bounce(ctx, a, dir, bench.BounceOptions{Messages: c.Messages, Batch: c.Batch, Via: c.Via, Connections: c.Connections},
			func(s string) { fmt.Fprintln(os.Stderr, s) })
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(res)
		}
		how := fmt.Sprintf("batches of %d", res.Batch)
		if res.Via == "smtp" {
			how = fmt.Sprintf("sent over %d SMTP connections to the inbound server (group commit, batches up to %d)", res.Connections, res.Batch)
		}
		fmt.Printf("engine %s, %d real-shaped DSNs (%.0f bytes on average) to a sent campaign, %s, fresh database\n",
			res.Engine, res.Messages, res.AvgBytes, how)
		fmt.Printf("  ingested (parse, classify, VERP, record):  %8.0f messages/s  %8.0f events/s  (%.1f s)\n", res.Rate, res.EventRate, res.Secs)
		if res.CPUSecs > 0 {
			fmt.Printf("  per CPU-second of this process:            %8.0f messages   (%.1f s CPU; the PostgreSQL server's not counted)\n",
				float64(res.Messages)/res.CPUSecs, res.CPUSecs)
		}
		fmt.Printf("  events %d, of which undeliverable (contact bounced, on the list): %d\n", res.Events, res.Suppressed)
		fmt.Printf("  dsn.Parse alone, one core:                 %8.0f messages/s\n", float64(res.Messages)/res.ParseSecs)
		fmt.Printf("  peak resident memory while ingesting:      %8.0f MiB\n", res.PeakRSSMiB)
		return nil
	})
}
