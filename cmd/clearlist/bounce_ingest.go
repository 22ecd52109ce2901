package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/inbound"
)

type bounceIngestCmd struct {
	Paths []string `arg:"" type:"path" help:"Files (.eml, or mbox starting with a \"From \" line) and directories (read recursively)."`
	JSON  bool     `name:"json" help:"Print one JSON line per message: its file and what became of it (the summary goes to stderr)."`
}

// ingestLine is one message's line of --json.
type ingestLine struct {
	File string `json:"file"`
	bounce.IngestResult
	Error string `json:"error,omitempty"`
}

func (c *bounceIngestCmd) Run(ctx context.Context, cfg *config.Config) error {
	maxBytes, err := cfg.InboundMaxBytes()
	if err != nil {
		return err
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		var sum inbound.Summary
		enc := json.NewEncoder(os.Stdout)
		bar := ingestProgress(c.Paths)
		err := inbound.ReadFiles(c.Paths, maxBytes, func(m inbound.FileMessage) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var res bounce.IngestResult
			err := m.Err
			if err == nil {
				res, err = a.IngestMessage(ctx, m.Raw, bounce.ViaFile)
			}
			sum.Add(res, err)
			if bar != nil {
				bar.Add(len(m.Raw))
			}
			line := ingestLine{File: m.Name, IngestResult: res}
			if err != nil {
				line.Error = err.Error()
				if !c.JSON {
					fmt.Fprintf(os.Stderr, "%s: %v\n", m.Name, err)
				}
			}
			if c.JSON {
				return enc.Encode(line)
			}
			return nil
		})
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(os.Stderr)
		}
		out := os.Stdout
		if c.JSON || err != nil {
			out = os.Stderr // stdout holds only what a run that read every file found
		}
		fmt.Fprintln(out, sum)
		if err != nil {
			return err
		}
		if sum.Errors > 0 {
			return fmt.Errorf("%d of %d messages were not taken in (see above); run again once fixed: a message taken in twice counts once", sum.Errors, sum.Messages)
		}
		return nil
	})
}

// ingestProgress shows, on a terminal only, how much of the files has been read.
func ingestProgress(paths []string) *progressbar.ProgressBar {
	if !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	var total int64
	for _, p := range paths {
		filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if info, err := d.Info(); err == nil {
					total += info.Size()
				}
			}
			return nil
		})
	}
	return progressbar.NewOptions64(total, progressbar.OptionSetWriter(os.Stderr), progressbar.OptionShowBytes(true),
		progressbar.OptionSetWidth(30), progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetDescription("ingesting"))
}
