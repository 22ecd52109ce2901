package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/verify"

	"github.com/clearlist/clearlist/internal/privfile"
)

// importGroup is `clearlist import FILE` (its default command, run) and `clearlist import
// cancel ID`.
type importGroup struct {
	Run    importCmd       `cmd:"" default:"withargs" help:"Import contacts from a CSV or JSON-lines file (the default: clearlist import FILE)."`
	Cancel importCancelCmd `cmd:"" help:"Cancel a queued or running import: the rows committed so far stay, the rest is not imported, and it is never resumed."`
}

type importCancelCmd struct {
	ID   int64 `arg:"" help:"The import's id (see 'clearlist imports')."`
	JSON bool  `name:"json" help:"Print the cancelled import as JSON."`
}

func (c *importCancelCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		im, err := a.Imports.Cancel(ctx, a.Workspace.ID, c.ID)
		if err != nil {
			return err
		}
		if c.JSON {
			enc := json.NewEncoder(os.Stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(im)
		}
		fmt.Printf("import %d (%s) cancelled after row %d: %d new, %d updated, %d unchanged, %d rejected, %d consent entries are kept\n",
			im.ID, im.FileName, im.RowsDone, im.Inserted, im.Updated, im.Unchanged, im.Failed, im.Consents)
		if im.RowsDone == 0 {
			fmt.Println("  it had not written any row yet")
		}
		fmt.Println("  a running import stops before its next batch; follow it with `clearlist imports`")
		return nil
	})
}

type importCmd struct {
	File           string            `arg:"" optional:"" type:"existingfile" help:"CSV or JSON-lines file (left out with --resume of an import uploaded to the server)."`
	List           string            `help:"List to add the contacts to (created if missing)."`
	SourceType     string            `name:"source-type" help:"How the contacts were obtained (see 'clearlist source-types'). Required."`
	SourceNote     string            `name:"source-note" help:"Free-text description of the source, e.g. 'Expo 2026, hall 3'."`
	CollectedBy    string            `name:"collected-by" help:"Who collected the contacts."`
	CollectedAt    string            `name:"collected-at" help:"When they were collected (YYYY-MM-DD or RFC 3339)."`
	Evidence       map[string]string `name:"evidence" help:"Evidence fields, e.g. --evidence form_url=https://… --evidence wording='Yes, send me…'."`
	OnBehalfOf     bool              `name:"on-behalf-of" help:"The contacts were collected on this workspace's behalf by someone else."`
	Map            map[string]string `name:"map" help:"Map a column to a field: --map 'E-Mail Address=email' --map Firma=company."`
	OnConflict     string            `name:"on-conflict" default:"update" enum:"update,skip" help:"Existing contacts: update (merge the row in) or skip."`
	DropUndeclared bool              `name:"drop-undeclared" help:"Drop columns that are not declared attributes instead of refusing the file."`
	Country        string            `name:"country" placeholder:"CC" help:"Country (ISO 3166-1 alpha-2, e.g. GB) of rows without a country column value; it chooses the rules that apply."`
	ContactKind    string            `name:"contact-kind" placeholder:"K" help:"Contact kind of rows without a contact_kind value: personal, sole_trader or corporate."`
	Encoding       string            `help:"Text encoding: auto, utf-8, utf-16, utf-16le, utf-16be, latin-1." default:"auto"`
	Delimiter      string            `help:"CSV delimiter (default: detected among , ; tab |). Use '\\t' for tab."`
	Format         string            `help:"csv or jsonl (default: detected)." enum:",csv,jsonl" default:""`
	DryRun         bool              `name:"dry-run" help:"Check every row and write the error report, but store nothing."`
	JSON           bool              `name:"json" help:"Print the summary as JSON."`
	Resume         int64             `help:"Continue the import with this id after its last committed row (an upload to the server: without FILE)."`
	Report         string            `help:"Where to write the per-row error report (default FILE.errors.csv)."`
	Verify         bool              `help:"Verify the imported addresses (syntax, lists, typos, DNS) and record the verdicts."`
	ConsentPurpose string            `name:"consent-purpose" help:"Purpose of the consent columns (consent_at, consent_wording, …) of rows without a consent_purpose cell."`
	From           string            `name:"from" placeholder:"SENDER" help:"The file is another sender's export: mailchimp (an audience export's subscribed, unsubscribed or cleaned file) or listmonk (a subscriber export)."`
	ListStatus     string            `name:"list-status" placeholder:"S" help:"With --from listmonk: the list subscription status (unconfirmed, confirmed, unsubscribed) of rows without a subscription_status column."`
}

func (c *importCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.File == "" && c.Resume == 0 {
		return fmt.Errorf("give the FILE to import (or --resume ID to continue an import uploaded to the server)")
	}
	req, err := c.request()
	if err != nil {
		return err
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		bar := c.progress()
		if bar != nil {
			req.Progress = func(p contact.Progress) {
				bar.Set64(p.BytesRead)
				bar.Describe(fmt.Sprintf("%d rows, %d new, %d failed", p.Rows, p.Result.Inserted, p.Failed))
			}
		}
		var sum contact.Summary
		if c.File == "" {
			sum, err = a.Imports.ResumeUpload(ctx, a.Workspace.ID, c.Resume, req.Progress)
			req.List = "" // --verify checks the workspace's addresses not yet checked
		} else {
			sum, err = a.Imports.Import(ctx, a.Workspace.ID, req, c.Resume)
		}
		if bar != nil {
			bar.Finish()
			fmt.Fprintln(os.Stderr)
		}
		if err != nil {
			return err
		}
		if err := c.print(sum); err != nil {
			return err
		}
		if c.Verify && !c.DryRun {
			return verifyImported(ctx, a, req.List, c.JSON)
		}
		return nil
	})
}

// verifyImported checks the addresses of the list (or workspace) that were never checked:
// those the import just added, and any older ones not yet checked.
func verifyImported(ctx context.Context, a *app.App, list string, quiet bool) error {
	due, err := a.Verify.AddressesDue(ctx, a.Workspace.ID, list, verify.NeverChecked)
	if err != nil {
		return err
	}
	counts := map[verify.Verdict]int{}
	var mu sync.Mutex
	bar := countProgress(len(due), quiet)
	err = a.Verify.Check(ctx, a.Workspace.ID, slices.Values(due), verify.CheckOptions{Store: true}, func(r verify.Result) {
		mu.Lock()
		counts[r.Verdict]++
		mu.Unlock()
		if bar != nil {
			bar.Add(1)
		}
	})
	if bar != nil {
		bar.Finish()
	}
	if err != nil {
		return fmt.Errorf("the import is stored; verifying its addresses failed: %w (run `clearlist verify --list` again)", err)
	}
	fmt.Fprintf(os.Stderr, "verified %d addresses: %d deliverable, %d risky, %d undeliverable, %d unknown\n", len(due),
		counts[verify.Deliverable], counts[verify.Risky], counts[verify.Undeliverable], counts[verify.Unknown])
	return nil
}

func (c *importCmd) request() (contact.ImportRequest, error) {
	req := contact.ImportRequest{
		Path: c.File, List: c.List, OnConflict: contact.Conflict(c.OnConflict), Map: c.Map,
		DropUndeclared: c.DropUndeclared, DryRun: c.DryRun, ReportPath: c.Report, ConsentPurpose: c.ConsentPurpose,
		Source: contact.Source{Type: c.SourceType, Description: c.SourceNote, CollectedBy: c.CollectedBy,
			Evidence: c.Evidence, OnBehalfOf: c.OnBehalfOf},
		Read: contact.ReadOptions{Encoding: c.Encoding, Format: contact.Format(c.Format)},
	}
	req.From, req.ListStatus = strings.ToLower(strings.TrimSpace(c.From)), c.ListStatus
	if req.From != "" && c.Format == "jsonl" {
		return req, fmt.Errorf("--from %s reads a CSV export: leave out --format jsonl", req.From)
	}
	req.DefaultCountry, req.DefaultKind = c.Country, c.ContactKind
	if c.CollectedAt != "" {
		t, err := parseDay(c.CollectedAt)
		if err != nil {
			return req, fmt.Errorf("--collected-at: %w", err)
		}
		req.Source.CollectedAt = &t
	}
	switch d := c.Delimiter; {
	case d == "":
	case d == `\t` || d == "tab":
		req.Read.Delimiter = '\t'
	case utf8.RuneCountInString(d) == 1:
		req.Read.Delimiter, _ = utf8.DecodeRuneInString(d)
	default:
		return req, fmt.Errorf("--delimiter %q: give one character, e.g. ';' or '\\t'", d)
	}
	return req, nil
}

func parseDay(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return t, fmt.Errorf("%q is not YYYY-MM-DD or RFC 3339", s)
	}
	return t, nil
}

// progress returns a byte-based progress bar when stderr is a terminal, else nil.
func (c *importCmd) progress() *progressbar.ProgressBar {
	if c.JSON || !term.IsTerminal(int(os.Stderr.Fd())) {
		return nil
	}
	st, err := os.Stat(c.File)
	if err != nil {
		return nil
	}
	return progressbar.NewOptions64(st.Size(), progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionShowBytes(true), progressbar.OptionSetWidth(30), progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetDescription("importing"))
}

func (c *importCmd) print(sum contact.Summary) error {
	if c.JSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	fmt.Println(summaryLine(sum))
	if !sum.DryRun {
		fmt.Printf("  new contacts:       %d\n  updated:            %d\n  unchanged:          %d\n  skipped (existing): %d\n",
			sum.Inserted, sum.Updated, sum.Unchanged, sum.Skipped)
	}
	fmt.Printf("  duplicates in file: %d\n  rejected rows:      %d\n  rows with warnings: %d\n", sum.Duplicates, sum.Failed, sum.Warnings)
	if sum.Consents > 0 {
		fmt.Printf("  consent entries:    %d\n", sum.Consents)
	}
	for _, n := range sum.Notes {
		fmt.Printf("  note:               %s\n", n)
	}
	if len(sum.Dropped) > 0 {
		fmt.Printf("  dropped columns:    %s\n", strings.Join(sum.Dropped, ", "))
	}
	if sum.Sender != nil {
		for _, l := range sum.Sender.Lines {
			fmt.Printf("  %s:%s%s\n", "from "+sum.Sender.Format, strings.Repeat(" ", max(1, 19-len("from "+sum.Sender.Format))), l)
		}
	}
	if sum.ReportPath != "" {
		fmt.Printf("  error report:       %s\n", sum.ReportPath)
	}
	if sum.ImportID != 0 {
		fmt.Printf("  import id %d, source id %d\n", sum.ImportID, sum.SourceID)
	}
	if sp := sum.SourcePolicy; sp != nil && sp.Marketing != "allow" {
		verdict := "NOT mailable for marketing"
		if sp.Marketing == "conditional" {
			verdict = "mailable for marketing only where the condition holds"
			for _, j := range sp.ByJurisdiction {
				if j.Outcome != "refused" {
					verdict = "mailable for marketing only where the condition holds or the contact's jurisdiction allows it"
					break
				}
			}
		}
		fmt.Printf("  source policy:      %s — %s\n                      (%s)\n", verdict, sp.Text, sp.Citation)
		printByJurisdiction(sp.ByJurisdiction)
	}
	return nil
}

// printByJurisdiction says where contacts from the source may be e-mailed without consent
// on record, when anywhere: the import cannot know each contact's jurisdiction as check does.
func printByJurisdiction(js []policy.SourceJurisdiction) {
	groups := map[string][]string{}
	for _, j := range js {
		name := j.Name
		if j.Outcome == "allowed" {
			name += " (" + j.Basis + ")"
		}
		groups[j.Outcome] = append(groups[j.Outcome], name)
	}
	if len(groups["allowed"]) == 0 && len(groups["legitimate-interest"]) == 0 {
		return
	}
	fmt.Println("  without consent, by the contact's jurisdiction (business e-mail addresses):")
	if g := groups["allowed"]; len(g) > 0 {
		fmt.Printf("    allowed:  %s\n", strings.Join(g, ", "))
	}
	if g := groups["legitimate-interest"]; len(g) > 0 {
		fmt.Printf("    allowed on legitimate interest (clearlist lia set, li-reason set): %s\n", strings.Join(g, ", "))
	}
	if g := groups["refused"]; len(g) > 0 {
		fmt.Printf("    refused:  %s\n", strings.Join(g, ", "))
	}
	fmt.Println("    each contact's own verdict: clearlist check --email ADDRESS --purpose PURPOSE")
}

// summaryLine says in one line how many rows were read, imported, rejected and warned about:
// the imported count never includes a rejected row or a repeat within the file.
func summaryLine(sum contact.Summary) string {
	verb := "imported"
	if sum.DryRun {
		verb = "would be imported (dry run, nothing stored)"
	}
	imported := sum.Rows - sum.Failed - sum.Duplicates
	return fmt.Sprintf("%d rows read in %.1fs (%.0f rows/s): %d %s, %d rejected, %d with warnings",
		sum.Rows, sum.Seconds, sum.RowsPerSecond, imported, verb, sum.Failed, sum.Warnings)
}

type exportCmd struct {
	List   string `help:"Only this list's contacts."`
	Status string `help:"Only contacts with this status (active, unsubscribed, bounced, blocked)."`
	Format string `default:"csv" enum:"csv,jsonl" help:"csv or jsonl."`
	Output string `short:"o" help:"Write to this file instead of standard output."`
}

func (c *exportCmd) Run(ctx context.Context, cfg *config.Config) error {
	req := imports.ExportRequest{List: c.List, Format: c.Format}
	if c.Status != "" {
		s, err := contact.ParseStatus(c.Status)
		if err != nil {
			return err
		}
		req.Status = s
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		out := os.Stdout
		if c.Output != "" {
			f, err := privfile.Create(c.Output)
			if err != nil {
				return err
			}
			defer f.Close()
			out = f
		}
		n, err := a.Imports.Export(ctx, a.Workspace.ID, out, req)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "%d contacts exported\n", n)
		if c.Output != "" {
			return out.Sync()
		}
		return nil
	})
}

func fmtTime(t *time.Time) string {
	if t == nil {
		return "-"
	}
	return t.Format("2006-01-02 15:04")
}
