package main

import (
	"bytes"
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

// The batches of bounce ingest: one transaction each (a batch that fails writes nothing).
const (
	ingestBatch      = 500
	ingestBatchBytes = 64 << 20
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
		// Messages go in batches (one transaction each, ingestBatch messages or
		// ingestBatchBytes at most), each parsed while the one before is written; the lines
		// keep the files' order.
		report := func(batch []inbound.FileMessage, rs []bounce.IngestResult, batchErr error) error {
			k := 0
			for _, m := range batch {
				var res bounce.IngestResult
				err := m.Err
				if err == nil {
					if err = batchErr; err == nil {
						res = rs[k]
					}
					k++
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
					if err := enc.Encode(line); err != nil {
						return err
					}
				}
			}
			return nil
		}
		pl := a.Bounces.Pipeline(ctx, bounce.ViaFile, func(tag any, rs []bounce.IngestResult, err error) error {
			return report(tag.([]inbound.FileMessage), rs, err)
		})
		var pending []inbound.FileMessage
		size := 0
		flush := func() error {
			raws := make([][]byte, 0, len(pending))
			for _, m := range pending {
				if m.Err == nil {
					raws = append(raws, m.Raw)
				}
			}
			batch := pending // reported in order by the pipeline, even with no message to ingest
			pending, size = nil, 0
			return pl.Add(raws, batch)
		}
		err := inbound.ReadFiles(c.Paths, maxBytes, func(m inbound.FileMessage) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			m.Raw = bytes.Clone(m.Raw)
			pending, size = append(pending, m), size+len(m.Raw)
			if len(pending) >= ingestBatch || size >= ingestBatchBytes {
				return flush()
			}
			return nil
		})
		if err == nil && len(pending) > 0 {
			err = flush()
		}
		if cerr := pl.Close(); err == nil {
			err = cerr
		}
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
