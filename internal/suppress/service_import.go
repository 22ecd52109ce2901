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

// RegistryImportOptions describe a national registry file.
type RegistryImportOptions struct {
	Fetched time.Time // when the file was downloaded; zero = now
	By      string
	Name    string
	// Progress, when set, is called with the lines read so far after every batch.
	Progress func(lines int)
}

// registryRule names the deadline of registry entries: the telemarketing safe harbor asks
// that a number be honoured within 31 days of the registry download that lists it.
const registryRule = "registry-31-days (16 CFR §310.4(b)(3)(iv); 47 CFR §64.1200(c)(2)(i)(D))"

// ImportRegistry streams a US National Do Not Call Registry file (full or change file, see
// ParseRegistry) into the list as phone entries for every channel with reason
// national-registry: additions are recorded, a change file's deletions remove the
// registry's entry for the number (never an entry of another reason). Bad lines are
// reported and skipped.
func (s *Service) ImportRegistry(ctx context.Context, ws int64, r io.Reader, opts RegistryImportOptions) (ImportReport, error) {
	var rep ImportReport
	l, err := s.list(ctx, ws)
	if err != nil {
		return rep, err
	}
	fetched := opts.Fetched
	if fetched.IsZero() {
		fetched = time.Now().UTC()
	}
	rep.Stale = RegistryStale(fetched, time.Now())
	by := opts.By
	if by == "" {
		by = "registry-import"
	}
	h := l.keyer.NewHasher()
	var num []byte
	adds := make([]Suppression, 0, suppressBatch)
	var dels [][]byte
	flush := func(lines int) error {
		if len(adds) > 0 {
			added, dups, err := s.st.AddSuppressionsBulk(ctx, ws, adds,
				fmt.Sprintf("national registry file %s (fetched %s): %d numbers", opts.Name, fetched.Format(time.DateOnly), len(adds)))
			if err != nil {
				return err
			}
			if err := s.applyOwn(ctx, ws, added); err != nil {
				return err
			}
			rep.Added, rep.Duplicates = rep.Added+len(added), rep.Duplicates+dups
			adds = adds[:0]
		}
		if len(dels) > 0 {
			n, err := s.st.RemoveSuppressionsByHash(ctx, ws, dels, string(ReasonNationalRegistry), by,
				"removed from the national registry (change file "+opts.Name+")")
			if err != nil {
				return err
			}
			rep.Removed += n
			dels = dels[:0]
			if err := s.syncList(ctx, ws); err != nil {
				return err
			}
		}
		if opts.Progress != nil {
			opts.Progress(lines)
		}
		return nil
	}
	prep, err := ParseRegistry(r, RegistryOptions{}, func(rec RegistryRecord) error {
		num = rec.AppendE164(num[:0])
		sum := h.HashBytes(KindPhone, num)
		if rec.Delete {
			dels = append(dels, append([]byte(nil), sum[:]...))
		} else {
			adds = append(adds, Suppression{Kind: string(KindPhone), Value: string(num), Hash: append([]byte(nil), sum[:]...),
				Reason: string(ReasonNationalRegistry), ChannelIn: InRegistry, RecordedBy: by,
				ReceivedAt: fetched, Deadline: fetched.AddDate(0, 0, RegistryMaxAge), DeadlineRule: registryRule})
		}
		if len(adds)+len(dels) >= suppressBatch {
			return flush(rec.Line)
		}
		return nil
	})
	rep.Rows = prep.Lines
	for _, b := range prep.Bad {
		rep.fail(b.Line, b.Text, errors.New(b.Reason))
	}
	if err != nil {
		return rep, err
	}
	if err := flush(prep.Lines); err != nil {
		return rep, err
	}
	return rep, s.noteRegistryFetch(ctx, ws, fetched)
}
