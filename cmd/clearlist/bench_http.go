package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/bench"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/loadgen"
	"github.com/clearlist/clearlist/internal/workspace"
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
	Bare  loadgen.Result `json:"bare"`
	API   loadgen.Result `json:"api"`
	Ratio float64        `json:"p99_ratio"`
}

func (c *benchEligibilityCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withBenchApp(ctx, cfg, func(a *app.App, dir string) error {
		fmt.Fprintf(os.Stderr, "preparing %d contacts on %s…\n", c.Contacts, a.Dialect())
		elig, bare, stop, err := bench.EligibilitySetup(ctx, a, c.Contacts, c.Consents, dir)
		if err != nil {
			return err
		}
		defer stop()
		rounds, err := measureRounds(ctx, dir, c.Rate, c.Duration, c.Rounds, bare, elig)
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(rounds)
		}
		fmt.Printf("eligibility API on %s, %d contacts, %d req/s open loop for %s per round (load from a separate process)\n",
			a.Dialect(), c.Contacts, c.Rate, c.Duration)
		printRounds(rounds, "eligibility:")
		return nil
	})
}

// withBenchApp runs fn on a scratch database (a fresh SQLite file, or a fresh PostgreSQL
// database next to the one --db names) in a temporary folder, and drops both after.
func withBenchApp(ctx context.Context, cfg *config.Config, fn func(a *app.App, dir string) error) error {
	dir, err := os.MkdirTemp("", "clearlist-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dsn, drop, err := bench.ScratchDSN(ctx, cfg.DB, dir, "clearlist_bench_")
	if err != nil {
		return err
	}
	defer drop()
	bcfg := *cfg
	bcfg.DB, bcfg.Workspace, bcfg.LogLevel, bcfg.DataDir = dsn, workspace.Default, "warn", dir
	return withApp(ctx, &bcfg, func(a *app.App) error { return fn(a, dir) })
}

// measureRounds loads the bare handler and then the API, rounds times, each at rate for d.
func measureRounds(ctx context.Context, dir string, rate int, d time.Duration, rounds int, bare, api bench.Target) ([]benchRound, error) {
	var out []benchRound
	for i := range rounds {
		var r benchRound
		for _, step := range []struct {
			t   bench.Target
			res *loadgen.Result
		}{{bare, &r.Bare}, {api, &r.API}} {
			fmt.Fprintf(os.Stderr, "round %d: %s at %d/s for %s…\n", i+1, step.t.Name, rate, d)
			var err error
			if *step.res, err = runLoad(ctx, dir, step.t, rate, d); err != nil {
				return nil, err
			}
		}
		if r.Bare.P99 > 0 {
			r.Ratio = r.API.P99 / r.Bare.P99
		}
		out = append(out, r)
	}
	return out, nil
}

func printRounds(rounds []benchRound, label string) {
	for i, r := range rounds {
		fmt.Printf("round %d\n  bare handler: %s\n  %-13s %s\n  p99 ratio:    %.2f\n", i+1, r.Bare, label, r.API, r.Ratio)
	}
}

// runLoad runs the load generator as a child process, so that its work does not share the
// server's process (its scheduler, its garbage collector).
func runLoad(ctx context.Context, dir string, t bench.Target, rate int, d time.Duration) (loadgen.Result, error) {
	path, err := bench.WriteTarget(dir, t)
	if err != nil {
		return loadgen.Result{}, err
	}
	self, err := os.Executable()
	if err != nil {
		return loadgen.Result{}, err
	}
	cmd := exec.CommandContext(ctx, self, "bench", "load", path, "--rate", fmt.Sprint(rate), "--duration", d.String())
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
	var t bench.Target
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

type benchCheckCmd struct {
	Entries  int           `default:"10000000" help:"Numbers on the do-not-contact list (recorded through the registry import)."`
	URLs     int           `default:"10000" help:"Distinct numbers asked, half of them listed."`
	Rate     int           `default:"5000" help:"Requests per second."`
	Duration time.Duration `default:"10s" help:"Length of each measured round."`
	Rounds   int           `default:"2" help:"Rounds, each measuring the bare handler and then the API."`
	JSON     bool          `help:"Print the results as JSON."`
}

func (c *benchCheckCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withBenchApp(ctx, cfg, func(a *app.App, dir string) error {
		fmt.Fprintf(os.Stderr, "recording %d numbers on %s…\n", c.Entries, a.Dialect())
		last := time.Now()
		check, bare, loaded, stop, err := bench.CheckSetup(ctx, a, c.Entries, c.URLs, func(done int) {
			if time.Since(last) > 10*time.Second {
				last = time.Now()
				fmt.Fprintf(os.Stderr, "  %d lines…\n", done)
			}
		})
		if err != nil {
			return err
		}
		defer stop()
		runtime.GC()
		rss := fmt.Sprintf("%.0f MiB", bench.MemoryMiB("VmRSS"))
		fmt.Fprintf(os.Stderr, "index loaded from the store in %s; resident %s\n", loaded.Round(time.Millisecond), rss)
		rounds, err := measureRounds(ctx, dir, c.Rate, c.Duration, c.Rounds, bare, check)
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(map[string]any{"rounds": rounds, "entries": c.Entries,
				"index_load_seconds": loaded.Seconds(), "rss_after_load": rss, "peak_rss": fmt.Sprintf("%.0f MiB", bench.MemoryMiB("VmHWM"))})
		}
		fmt.Printf("check API on %s, %d entries (index loaded in %s, resident %s, peak %s), %d req/s open loop for %s per round (load from a separate process)\n",
			a.Dialect(), c.Entries, loaded.Round(time.Millisecond), rss, fmt.Sprintf("%.0f MiB", bench.MemoryMiB("VmHWM")), c.Rate, c.Duration)
		printRounds(rounds, "check:")
		return nil
	})
}
