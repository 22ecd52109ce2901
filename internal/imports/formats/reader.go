package formats

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"strings"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/suppress"
)

// Row is one record of the sender's file in clearlist's terms.
type Row struct {
	// Num is the 1-based data row number (the header is not counted).
	Num int
	// Columns holds the record's non-empty values under canonical import column names
	// (email, status, country, first_name, consent_at, …) and the sender's own custom
	// fields under their own names (Mailchimp merge fields, listmonk attributes).
	Columns map[string]string
	// Intakes are the do-not-contact requests the record carries (an unsubscribe, a hard
	// bounce, a blocklisting), each with its original time.
	Intakes []suppress.Intake
	// Raw is a copy of the record's cells as read, for an error report.
	Raw []string
}

// Options says how to read a file.
type Options struct {
	// From is the sender; "" detects it from the header.
	From Format
	// ListStatus is the listmonk list subscription status (unconfirmed, confirmed or
	// unsubscribed) for rows without a subscription_status column: listmonk's export can
	// be filtered by it but does not write it. "" = unknown.
	ListStatus string
	// Read says how to decode the file (encoding, delimiter, cell limit); the format is
	// always CSV.
	Read contact.ReadOptions
}

// mapper turns one record of a known format into a Row.
type mapper interface {
	kind() string
	columns() []string
	mapRow(rec []string, row *Row, sum *Summary) error
}

// Reader streams the rows of another sender's export.
type Reader struct {
	format Format
	src    contact.RowSource
	m      mapper
	sum    Summary
}

// NewReader reads the header of r, decides the format (opts.From, or detected) and checks
// that the header is what the format documents; the error says what to do when not.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	ro := opts.Read
	ro.Format = contact.FormatCSV
	src, err := contact.NewRowSource(r, ro)
	if err != nil {
		return nil, err
	}
	cols := src.Columns()
	f := opts.From
	if f == "" {
		if f, err = Detect(cols); err != nil {
			return nil, err
		}
	} else if _, err := ParseFormat(string(f)); err != nil {
		return nil, err
	} else if err := f.check(cols); err != nil {
		return nil, err
	}
	var m mapper
	switch f {
	case Mailchimp:
		m = newMailchimp(cols)
	case Listmonk:
		if m, err = newListmonk(cols, opts.ListStatus); err != nil {
			return nil, err
		}
	}
	rd := &Reader{format: f, src: src, m: m}
	rd.sum = Summary{Format: f, Kind: m.kind(), Leftover: map[string]int{}, Intakes: map[suppress.Reason]int{}}
	return rd, nil
}

// Format is the sender whose export is read.
func (r *Reader) Format() Format { return r.format }

// Kind is which file of the sender it is: subscribed, unsubscribed or cleaned for
// Mailchimp, subscribers for listmonk.
func (r *Reader) Kind() string { return r.m.kind() }

// Columns lists the canonical columns the rows may fill, then the sender's custom fields
// passed through, in a stable order: a header for writing the rows out as a plain file.
func (r *Reader) Columns() []string { return r.m.columns() }

// Next returns the next row, or io.EOF after the last one. A bad record gives its Row
// (Num and Raw set) and an error errors.As turns into *contact.RowError; Next may be
// called again after it. Any other error is fatal.
func (r *Reader) Next() (Row, error) {
	rec, err := r.src.Next()
	if err != nil {
		var re *contact.RowError
		if errors.As(err, &re) {
			r.sum.Rows++
			r.sum.Failed++
			return Row{Num: re.Row}, err
		}
		return Row{}, err
	}
	r.sum.Rows++
	row := Row{Num: rec.Num, Columns: make(map[string]string, 12), Raw: append([]string(nil), rec.Values...)}
	if err := r.m.mapRow(rec.Values, &row, &r.sum); err != nil {
		r.sum.Failed++
		var re *contact.RowError
		if errors.As(err, &re) {
			re.Row = rec.Num
		}
		return Row{Num: rec.Num, Raw: row.Raw}, err
	}
	r.sum.Contacts++
	if row.Columns[ColConsentAction] != "" {
		r.sum.WithConsent++
	}
	for _, in := range row.Intakes {
		r.sum.Intakes[suppress.Reason(in.Reason)]++
	}
	return row, nil
}

// All yields every row with its error, stopping after a fatal error (one that is not a
// *contact.RowError).
func (r *Reader) All() iter.Seq2[Row, error] {
	return func(yield func(Row, error) bool) {
		for {
			row, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var re *contact.RowError
			fatal := err != nil && !errors.As(err, &re)
			if !yield(row, err) || fatal {
				return
			}
		}
	}
}

// Summary is what the rows read so far held.
func (r *Reader) Summary() Summary { return r.sum.clone() }

// rowError builds the row error for a bad value of a column.
func rowError(column, value, format string, args ...any) error {
	if len(value) > 200 {
		value = strings.ToValidUTF8(value[:200], "") + "…"
	}
	return &contact.RowError{Column: column, Value: value, Reason: fmt.Sprintf(format, args...)}
}

// cell returns rec's value at i, trimmed, or "" when i is out of range.
func cell(rec []string, i int) string {
	if i < 0 || i >= len(rec) {
		return ""
	}
	return trimSpace(rec[i])
}
