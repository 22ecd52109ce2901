package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/loadgen"
	"github.com/clearlist/clearlist/internal/store"
)

type benchEligibilityCmd struct {
	Contacts int           `default:"10000" help:"Contacts in the generated workspace."`
	Consents int           `default:"2000" help:"How many of them get a confirmed newsletter consent."`
	Rate     int           `default:"1000" help:"Requests per second."`
	Duration time.Duration `default:"10s" help:"Length of each measured round."`
	Rounds   int           `default:"2" help:"Rounds, each measuring the bare handler and then the API."`
	JSON     bool          `help:"Print the results as JSON."`
}

type benchRound struct {
	Bare        loadgen.Result `json:"bare"`
	Eligibility loadgen.Result `json:"eligibility"`
	Ratio       float64        `json:"p99_ratio"`
}

func (c *benchEligibilityCmd) Run(ctx context.Context, cfg *config.Config) error {
	dir, err := os.MkdirTemp("", "clearlist-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dsn, drop, err := store.ScratchDSN(ctx, cfg.DB, dir, "clearlist_bench_")
	if err != nil {
		return err
	}
	defer drop()
	bcfg := *cfg
	bcfg.DB, bcfg.Workspace, bcfg.LogLevel, bcfg.DataDir = dsn, store.DefaultWorkspace, "warn", dir
	return withApp(ctx, &bcfg, func(a *app.App) error {
		fmt.Fprintf(os.Stderr, "preparing %d contacts on %s…\n", c.Contacts, a.Store.Dialect())
		elig, bare, stop, err := a.BenchEligibilitySetup(ctx, c.Contacts, c.Consents, dir)
		if err != nil {
			return err
		}
		defer stop()
		var rounds []benchRound
		for i := range c.Rounds {
			var r benchRound
			for _, step := range []struct {
				t   app.BenchTarget
				res *loadgen.Result
			}{{bare, &r.Bare}, {elig, &r.Eligibility}} {
				fmt.Fprintf(os.Stderr, "round %d: %s at %d/s for %s…\n", i+1, step.t.Name, c.Rate, c.Duration)
				if *step.res, err = c.load(ctx, dir, step.t); err != nil {
					return err
				}
			}
			if r.Bare.P99 > 0 {
				r.Ratio = r.Eligibility.P99 / r.Bare.P99
			}
			rounds = append(rounds, r)
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(rounds)
		}
		fmt.Printf("eligibility API on %s, %d contacts, %d req/s open loop for %s per round (load from a separate process)\n",
			a.Store.Dialect(), c.Contacts, c.Rate, c.Duration)
		for i, r := range rounds {
			fmt.Printf("round %d\n  bare handler: %s\n  eligibility:  %s\n  p99 ratio:    %.2f\n", i+1, r.Bare, r.Eligibility, r.Ratio)
		}
		return nil
	})
}

// load runs the load generator as a child process, so that its work does not share the
// server's process (its scheduler, its garbage collector).
func (c *benchEligibilityCmd) load(ctx context.Context, dir string, t app.BenchTarget) (loadgen.Result, error) {
	path, err := app.WriteBenchTarget(dir, t)
	if err != nil {
		return loadgen.Result{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return loadgen.Result{}, err
	}
	cmd := exec.CommandContext(ctx, self, "bench", "load", path, "--rate", fmt.Sprint(c.Rate), "--duration", c.Duration.String())
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		return loadgen.Result{}, fmt.Errorf("load generator: %w", err)
	}
	var res loadgen.Result
	return res, json.Unmarshal(out, &res)
}

type benchLoadCmd struct {
	Target   string        `arg:"" type:"existingfile" help:"Target file written by bench eligibility."`
	Rate     int           `default:"1000"`
	Duration time.Duration `default:"10s"`
}

func (c *benchLoadCmd) Run(ctx context.Context) error {
	b, err := os.ReadFile(c.Target)
	if err != nil {
		return err
	}
	var t app.BenchTarget
	if err := json.Unmarshal(b, &t); err != nil {
		return err
	}
	h := http.Header{}
	if t.Bearer != "" {
		h.Set("Authorization", "Bearer "+t.Bearer)
	}
	// A short warm-up (connections, caches), then the measured run.
	loadgen.Run(ctx, loadgen.Config{URLs: t.URLs, Header: h, Rate: c.Rate, Duration: time.Second})
	res, err := loadgen.Run(ctx, loadgen.Config{URLs: t.URLs, Header: h, Rate: c.Rate, Duration: c.Duration})
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(res)
}
