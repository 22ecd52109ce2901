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

type benchSendCmd struct {
	Recipients int    `default:"100000" help:"How many consented contacts to seed and send the campaign to."`
	DKIM       string `name:"dkim" default:"none" enum:"none,rsa,ed25519" help:"Sign every message: none, rsa (RSA-2048) or ed25519 (a key generated for the run)."`
	Workers    int    `default:"4" help:"Send workers of the campaign (the campaign default)."`
	Conns      int    `default:"16" help:"Connections to the sink, of the relay pool and of the bare client alike."`
	Dir        string `help:"Folder for the generated file (default: a temporary folder, removed after)."`
	CPUProfile string `name:"cpu-profile" type:"path" help:"Write a CPU profile of the campaign's send to this file."`
	JSON       bool   `help:"Print the result as JSON."`
}

func (c *benchSendCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.Recipients <= 0 {
		return fmt.Errorf("--recipients must be positive")
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
	sink, err := bench.StartSink()
	if err != nil {
		return err
	}
	defer sink.Close()
	// A fresh database, as for bench import; the campaign relay is the sink process.
	dsn, drop, err := bench.ScratchDSN(ctx, cfg.DB, dir, "clearlist_bench_")
	if err != nil {
		return err
	}
	defer drop()
	bcfg := *cfg
	bcfg.DB, bcfg.Workspace = dsn, workspace.Default
	bcfg.DataDir, bcfg.LogLevel = dir, "error"
	bcfg.Relays = []string{fmt.Sprintf("smtp://%s?tls=none&max_conns=%d&max_per_conn=100000", sink.Addr, c.Conns)}
	bcfg.DomainRates = nil
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
		res, err := bench.Send(ctx, a, sink, dir, bench.SendOptions{Recipients: c.Recipients, DKIM: c.DKIM,
			Workers: c.Workers, Conns: c.Conns}, func(s string) { fmt.Fprintln(os.Stderr, s) })
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(res)
		}
		fmt.Printf("engine %s, %d recipients, ~%.0f-byte personalised messages, DKIM %s, sink in another process\n",
			res.Engine, res.Recipients, res.MessageSize, res.DKIM)
		fmt.Printf("  campaign (claim, screen, render, send via the pool, record): %8.0f msgs/s  (%.1f s)\n", res.Rate, res.Secs)
		fmt.Printf("  bare go-smtp client, same connections:                       %8.0f msgs/s  (%.1f s)\n", res.BareRate, res.BareSecs)
		fmt.Printf("  campaign / bare:                                             %8.2f\n", res.Ratio)
		fmt.Printf("  peak resident memory while sending:                          %8.0f MiB\n", res.PeakRSSMiB)
		return nil
	})
}

// benchSinkCmd is the SMTP sink of bench send, a separate process (hidden).
type benchSinkCmd struct{}

func (benchSinkCmd) Run() error { return bench.RunSink(os.Stdin, os.Stdout) }
