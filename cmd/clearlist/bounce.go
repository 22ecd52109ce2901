package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/clearlist/clearlist/internal/bounce/dsn"
)

// bounceCmd groups the commands about what mail systems send back.
type bounceCmd struct {
	Parse   bounceParseCmd   `cmd:"" help:"Parse bounce, complaint and auto-reply messages (.eml) and print each recipient's reason; stores nothing, needs no database."`
	Ingest  bounceIngestCmd  `cmd:"" help:"Take in bounces, complaints and replies from .eml files, mbox files and directories (as the inbound SMTP server would)."`
	Events  bounceEventsCmd  `cmd:"" help:"Show the delivery events (bounces, complaints, replies, delivery reports), newest first."`
	Reviews bounceReviewsCmd `cmd:"" help:"Show the replies that may ask to stop, waiting for a person to decide."`
	Review  bounceReviewCmd  `cmd:"" help:"Decide a queued reply: --stop puts the address on the do-not-contact list, --dismiss does not."`
}

type bounceParseCmd struct {
	Files []string `arg:"" name:"file" help:"Messages to parse, one per file (.eml)."`
	JSON  bool     `name:"json" help:"Print one JSON object per recipient per line."`
}

// bounceParseLine is one recipient of --json output; the keys are a published format.
type bounceParseLine struct {
	File       string `json:"file"`
	Index      int    `json:"index"`
	Recipient  string `json:"recipient"`
	Status     string `json:"status"`
	ReplyCode  string `json:"reply_code"`
	Reason     string `json:"reason"`
	Hard       bool   `json:"hard"`
	Diagnostic string `json:"diagnostic"`
}

// maxBounceFile bounds what is read of one file: Parse looks at the first megabytes only.
const maxBounceFile = 16 << 20

// Run parses each file on its own; an unreadable file is reported and the others still run.
// It deliberately takes no *config.Config use: parse opens no database.
func (c *bounceParseCmd) Run() error {
	return runBounceParse(c.Files, c.JSON, os.Stdout, os.Stderr)
}

func runBounceParse(files []string, asJSON bool, stdout, stderr io.Writer) error {
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	var tw *tabwriter.Writer
	if !asJSON {
		tw = tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FILE\t#\tRECIPIENT\tSTATUS\tCODE\tREASON\tHARD\tDIAGNOSTIC")
	}
	failed := 0
	for _, name := range files {
		raw, err := readBounceFile(name)
		if err != nil {
			fmt.Fprintf(stderr, "clearlist: %s: %v\n", name, err)
			failed++
			continue
		}
		// An mbox file holds several messages: their recipients are numbered on.
		var recipients []dsn.Recipient
		bad := false
		for _, msg := range dsn.SplitMbox(raw) {
			rep, err := dsn.Parse(msg)
			if err != nil {
				fmt.Fprintf(stderr, "clearlist: %s: %v\n", name, err)
				bad = true
				break
			}
			if len(rep.Recipients) == 0 {
				fmt.Fprintf(stderr, "clearlist: %s: no recipient found (a %s)\n", name, rep.Kind)
			}
			recipients = append(recipients, rep.Recipients...)
		}
		if bad {
			failed++
			continue
		}
		base := filepath.Base(name)
		for i, r := range recipients {
			line := bounceParseLine{File: base, Index: i + 1, Recipient: r.Address, Status: r.Status,
				ReplyCode: r.ReplyCode, Reason: r.Reason, Hard: r.Hard, Diagnostic: r.Diagnostic}
			if asJSON {
				if err := enc.Encode(line); err != nil {
					return err
				}
				continue
			}
			diag := line.Diagnostic
			if len(diag) > 80 {
				diag = diag[:77] + "..."
			}
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\t%v\t%s\n", base, line.Index, line.Recipient, line.Status, line.ReplyCode, line.Reason, line.Hard, diag)
		}
	}
	if tw != nil {
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d files could not be parsed (see above)", failed, len(files))
	}
	return nil
}

func readBounceFile(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, errors.New("is a directory; give the message files")
	}
	return io.ReadAll(io.LimitReader(f, maxBounceFile))
}
