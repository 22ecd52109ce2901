package contact

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxReportValueBytes bounds how much of a cell lands in an error report.
const maxReportValueBytes = 200

// RowError says why one row of an input file was not imported.
type RowError struct {
	Row    int    // 1-based data row (CSV) or line (JSON lines) number
	Column string // the column or key, "" when the whole row is bad
	Value  string // the offending value, at most 200 bytes plus "…"
	Reason string // what is wrong and how to fix it
}

// newRowError builds a RowError with its value cut down for reporting.
func newRowError(row int, column, value, reason string) *RowError {
	return &RowError{Row: row, Column: column, Value: truncateValue(value), Reason: reason}
}

// Error implements error.
func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s", e.Row, e.Reason)
	}
	return fmt.Sprintf("row %d, column %q: %s", e.Row, e.Column, e.Reason)
}

// truncateValue makes v valid UTF-8 and cuts it to at most 200 bytes plus
// "…", so that a huge cell never lands whole in a report or log.
func truncateValue(v string) string {
	if len(v) <= maxReportValueBytes && utf8.ValidString(v) {
		return v
	}
	cut := len(v) > maxReportValueBytes
	if cut {
		n := maxReportValueBytes
		for n > 0 && !utf8.RuneStart(v[n]) {
			n--
		}
		v = v[:n]
	}
	v = strings.ToValidUTF8(v, "\uFFFD")
	if cut {
		v += "…"
	}
	return v
}

// quoteShort quotes s for an error message, cut to 64 bytes.
func quoteShort(s string) string {
	if len(s) <= 64 {
		return strconv.Quote(s)
	}
	n := 64
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return strconv.Quote(s[:n]) + "…"
}

// ReportWriter writes the per-row error report as CSV with the header
// row,column,value,reason, every cell neutralised against formula injection.
type ReportWriter struct {
	w      *csv.Writer
	header bool
	count  int
	cells  [4]string
}

// NewReportWriter returns a ReportWriter writing to w.
func NewReportWriter(w io.Writer) *ReportWriter {
	return &ReportWriter{w: csv.NewWriter(w)}
}

// NewReportAppender returns a ReportWriter that adds to a report already holding its header
// (an import resumed after its last committed row).
func NewReportAppender(w io.Writer) *ReportWriter {
	return &ReportWriter{w: csv.NewWriter(w), header: true}
}

// Write adds one error to the report.
func (r *ReportWriter) Write(e RowError) error {
	if err := r.writeHeader(); err != nil {
		return err
	}
	r.cells = [4]string{
		strconv.Itoa(e.Row),
		NeutralizeCell(truncateValue(e.Column)),
		NeutralizeCell(truncateValue(e.Value)),
		NeutralizeCell(strings.ToValidUTF8(e.Reason, "\uFFFD")),
	}
	if err := r.w.Write(r.cells[:]); err != nil {
		return fmt.Errorf("write error report: %w", err)
	}
	r.count++
	return nil
}

func (r *ReportWriter) writeHeader() error {
	if r.header {
		return nil
	}
	r.header = true
	if err := r.w.Write([]string{"row", "column", "value", "reason"}); err != nil {
		return fmt.Errorf("write error report: %w", err)
	}
	return nil
}

// Flush writes any buffered data (and the header, if no error was written)
// to the underlying writer.
func (r *ReportWriter) Flush() error {
	if err := r.writeHeader(); err != nil {
		return err
	}
	r.w.Flush()
	if err := r.w.Error(); err != nil {
		return fmt.Errorf("write error report: %w", err)
	}
	return nil
}

// Count returns the number of errors written.
func (r *ReportWriter) Count() int { return r.count }
