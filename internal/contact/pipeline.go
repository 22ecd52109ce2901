package contact

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"strconv"
	"time"
)

// DefaultBatchSize is how many rows an import writes per transaction.
const DefaultBatchSize = 10000

// RunOptions configures one pass of the import pipeline over a row source.
type RunOptions struct {
	Batch       Batch // template: workspace, source, list, import, conflict mode
	BatchSize   int   // 0 = DefaultBatchSize
	DryRun      bool  // validate and report only; nothing is written
	ResumeAfter int   // rows up to this number were committed by an earlier run and are skipped
	Report      *ReportWriter
	Progress    func(Progress)
	BytesRead   func() int64 // how far into the input the reader is, for progress
	// RowSource returns the source of rows with evidence of their own (evidence_<key> columns):
	// the import's source with the row's evidence over the file's. nil: such rows keep the batch's.
	RowSource func(evidence map[string]string) (int64, error)
}

// Run streams src through the normaliser into batches written by the writers, in constant memory but
// for a 12-byte-per-row set used to find repeated addresses within the file. Reading and
// normalising run on the calling goroutine while the previous batch is written on another,
// so both cores work. Each batch is one transaction; a row that fails is written to the
// report and the import goes on.
func Run(ctx context.Context, src RowSource, n *Normalizer, writers []BatchWriter, o RunOptions) (Summary, error) {
	start := time.Now()
	size := o.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		sum  = Summary{DryRun: o.DryRun}
		seed = maphash.MakeSeed()
		seen = make(map[uint64]int32)
		wr   = startWriter(ctx, cancel, writers, o.DryRun)
	)
	defer wr.wait()
	batch := wr.next(o.Batch, size)
	if batch == nil {
		return sum, ctx.Err()
	}
	report := func(e RowError) error {
		if o.Report == nil {
			return nil
		}
		return o.Report.Write(e)
	}
	flush := func(last int) error {
		batch.LastRow = last
		// The report holds at least every failed row the batch commits, so that an import
		// killed after the commit keeps them (a resume drops those after its row).
		if o.Report != nil && o.Report.Count() > 0 {
			if err := o.Report.Flush(); err != nil {
				return err
			}
		}
		wr.queue(batch)
		if batch = wr.next(o.Batch, size); batch == nil {
			return wr.errOr(ctx.Err())
		}
		if o.Progress != nil {
			p := Progress{Rows: sum.Rows, Failed: sum.Failed, Result: wr.result()}
			if o.BytesRead != nil {
				p.BytesRead = o.BytesRead()
			}
			o.Progress(p)
		}
		return nil
	}
	last, noZone := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			wr.wait()
			return sum, wr.errOr(err)
		}
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var rowErr *RowError
		if errors.As(err, &rowErr) {
			last = max(last, rowErr.Row)
			if rowErr.Row <= o.ResumeAfter {
				continue
			}
			sum.Rows++
			sum.Failed++
			batch.Failed++
			if err := report(*rowErr); err != nil {
				return sum, err
			}
			continue
		}
		if err != nil {
			return sum, err
		}
		last = rec.Num
		row, errs := n.Normalize(rec)
		dup := false
		if len(errs) == 0 {
			h := maphash.String(seed, row.EmailCanonical)
			if first, ok := seen[h]; ok {
				dup = true
				errs = []RowError{{Row: rec.Num, Column: "email", Value: row.Email, Reason: duplicateReason(int(first), row)}}
			} else {
				seen[h] = int32(rec.Num)
			}
		}
		if rec.Num <= o.ResumeAfter {
			continue
		}
		sum.Rows++
		for _, e := range errs {
			if err := report(e); err != nil {
				return sum, err
			}
		}
		if dup {
			sum.Duplicates++
			continue
		}
		if len(errs) > 0 {
			sum.Failed++
			batch.Failed++
			continue
		}
		if len(row.Warnings) > 0 {
			sum.Warnings++
			batch.Warnings++
			for _, e := range row.Warnings {
				if err := report(e); err != nil {
					return sum, err
				}
			}
			row.Warnings = nil
		}
		if len(row.Evidence) > 0 && o.RowSource != nil && !o.DryRun {
			if row.SourceID, err = o.RowSource(row.Evidence); err != nil {
				return sum, fmt.Errorf("row %d: record its evidence: %w", row.Num, err)
			}
		}
		if row.NoZone {
			noZone++
		}
		batch.Rows = append(batch.Rows, row)
		if len(batch.Rows) >= size {
			if err := flush(last); err != nil {
				return sum, err
			}
		}
	}
	batch.LastRow = last
	wr.queue(batch)
	if err := wr.wait(); err != nil {
		return sum, err
	}
	res := wr.result()
	sum.Inserted, sum.Updated, sum.Unchanged, sum.Skipped = res.Inserted, res.Updated, res.Unchanged, res.Skipped
	sum.Consents = res.Consents
	if noZone > 0 {
		sum.Notes = append(sum.Notes, fmt.Sprintf("%d rows gave consent times without a time zone; they were taken as UTC", noZone))
	}
	sum.Seconds = time.Since(start).Seconds()
	if sum.Seconds > 0 {
		sum.RowsPerSecond = float64(sum.Rows) / sum.Seconds
	}
	return sum, nil
}

// duplicateReason says why a later row of an address already in the file is not imported.
// A row with consent cells is a later step of the person's history (withdrawn after granted,
// granted again): it says how to record that step rather than losing it silently.
func duplicateReason(first int, row Row) string {
	msg := "duplicate of row " + strconv.Itoa(first) + " in this file; the first occurrence is imported"
	if len(row.Consents) == 0 {
		return msg
	}
	e := row.Consents[0]
	return msg + "; this row's consent (" + string(e.Action) + " " + e.Purpose + "/" + string(e.Channel) +
		") is not recorded: an import takes one row per address, so import the later steps of a person's consent " +
		"from a second file (one row per address, in time order) " +
		"or record them with `clearlist consent add`"
}
