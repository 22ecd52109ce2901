package suppress

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// suppressBatch is how many entries one transaction of a file import records.
const suppressBatch = 5000

// ImportOptions are the defaults a file's rows take where a column is missing.
type ImportOptions struct {
	Reason    string
	Scope     string
	ChannelIn string
	By        string
	Name      string // the file's name, for the audit line
	// Progress, when set, is called with the rows read so far after every batch.
	Progress func(rows int)
}

// ImportReport sums up a file import.
type ImportReport struct {
	Rows       int        `json:"rows"`
	Added      int        `json:"added"`
	Duplicates int        `json:"duplicates"` // already listed with the same scope
	Removed    int        `json:"removed,omitempty"`
	Errors     []RowError `json:"errors,omitempty"`
	// Stale is set for a registry file fetched more than 31 days ago.
	Stale bool `json:"stale,omitempty"`
}

// RowError is a row that was not recorded, and why.
type RowError struct {
	Row   int    `json:"row"`
	Value string `json:"value,omitempty"`
	Error string `json:"error"`
}

// maxRowErrors bounds the errors a report keeps; the count goes on.
const maxRowErrors = 1000

func (r *ImportReport) fail(row int, value string, err error) {
	if len(r.Errors) < maxRowErrors {
		if len(value) > 80 {
			value = value[:80] + "…"
		}
		r.Errors = append(r.Errors, RowError{Row: row, Value: value, Error: err.Error()})
	}
}

// ImportSuppressions records the rows of a CSV file: a header naming at least the column
// value (or email / phone / domain), and optionally kind, scope, reason, channel_in,
// received_at (RFC 3339 or YYYY-MM-DD), country and note. Rows that are not valid are
// reported with their row number and skipped; the others are recorded in batches.
func (s *Service) ImportSuppressions(ctx context.Context, ws int64, r io.Reader, opts ImportOptions) (ImportReport, error) {
	var rep ImportReport
	cr := csv.NewReader(r)
	cr.FieldsPerRecord, cr.ReuseRecord = -1, true
	head, err := cr.Read()
	if err != nil {
		return rep, fmt.Errorf("%w: read the header: %v", ErrInvalid, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	valueCol, kindDefault := -1, ""
	for _, name := range []string{"value", "email", "phone", "domain"} {
		if i, ok := col[name]; ok {
			valueCol = i
			if name != "value" {
				kindDefault = name
			}
			break
		}
	}
	if valueCol < 0 {
		return rep, fmt.Errorf("%w: the header has no column value, email, phone or domain; it has %s", ErrInvalid, strings.Join(head, ", "))
	}
	get := func(rec []string, name, def string) string {
		if i, ok := col[name]; ok && i < len(rec) && strings.TrimSpace(rec[i]) != "" {
			return strings.TrimSpace(rec[i])
		}
		return def
	}
	now := time.Now().UTC()
	rules, err := s.deadlineRules(ctx, ws)
	if err != nil {
		return rep, err
	}
	batch := make([]Suppression, 0, suppressBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		added, dups, err := s.RecordSuppressions(ctx, ws, batch, fmt.Sprintf("file %s: %d entries", opts.Name, len(batch)))
		if err != nil {
			return err
		}
		rep.Added, rep.Duplicates = rep.Added+len(added), rep.Duplicates+dups
		batch = batch[:0]
		if opts.Progress != nil {
			opts.Progress(rep.Rows)
		}
		return nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		rep.Rows++
		row := rep.Rows + 1 // the header is row 1
		if err != nil {
			var pe *csv.ParseError
			if !errors.As(err, &pe) {
				return rep, err // the file itself could not be read
			}
			rep.fail(row, "", fmt.Errorf("unreadable CSV: %v", err)) // the reader goes on at the next line
			continue
		}
		if valueCol >= len(rec) || strings.TrimSpace(rec[valueCol]) == "" {
			rep.fail(row, "", errors.New("the value is empty"))
			continue
		}
		req := Intake{Value: rec[valueCol], Kind: get(rec, "kind", kindDefault), Scope: get(rec, "scope", opts.Scope),
			Reason: get(rec, "reason", opts.Reason), ChannelIn: get(rec, "channel_in", opts.ChannelIn), By: opts.By,
			Note: get(rec, "note", ""), Country: get(rec, "country", "")}
		if at := get(rec, "received_at", ""); at != "" {
			if req.ReceivedAt, err = parseWhen(at); err != nil {
				rep.fail(row, rec[valueCol], err)
				continue
			}
		}
		e, err := s.prepare(ctx, ws, req, now, rules)
		if err != nil {
			rep.fail(row, rec[valueCol], err)
			continue
		}
		batch = append(batch, e)
		if len(batch) == suppressBatch {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	return rep, flush()
}

// parseWhen reads an RFC 3339 time or a date.
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("received_at %q: give a date (2026-11-25) or an RFC 3339 time", s)
}
