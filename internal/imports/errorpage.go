package imports

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
)

// ReportRow is one line of an import's error report: the file's row, the column, the value
// and why it was refused or left out (as the CSV download holds them).
type ReportRow struct {
	Row                   int64
	Column, Value, Reason string
}

// ReportPage is a page of an import's error report.
type ReportPage struct {
	Rows []ReportRow
	// Next is the offset of the next page, 0 on the last page.
	Next int64
}

// ErrNoReport says that an import has no error report: no row of it failed (so far).
var ErrNoReport = errors.New("the import has no error report: no row of it has failed")

// ErrBadOffset says that an offset into an error report is not one a page gave out.
var ErrBadOffset = errors.New("that page of the error report does not exist: start again from its first page")

// ReportRows returns at most limit rows of import id's error report, from offset (0: its
// first row; else a page's Next). It reads only the rows it returns.
func (s *Service) ReportRows(ctx context.Context, ws, id, offset int64, limit int) (ReportPage, error) {
	im, err := s.st.Import(ctx, ws, id)
	if err != nil {
		return ReportPage{}, err
	}
	if im.ReportPath == "" {
		return ReportPage{}, ErrNoReport
	}
	f, err := os.Open(im.ReportPath)
	if errors.Is(err, fs.ErrNotExist) {
		return ReportPage{}, ErrNoReport
	}
	if err != nil {
		return ReportPage{}, fmt.Errorf("open error report of import %d: %w", id, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return ReportPage{}, fmt.Errorf("read error report of import %d: %w", id, err)
	}
	if offset < 0 || offset > st.Size() {
		return ReportPage{}, ErrBadOffset
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ReportPage{}, fmt.Errorf("read error report of import %d: %w", id, err)
	}
	r := csv.NewReader(f)
	r.FieldsPerRecord, r.ReuseRecord = -1, true
	var page ReportPage
	for first := true; ; first = false {
		rec, err := r.Read()
		if err != nil { // the end, or a line still being written by a running import
			page.Next = 0
			return page, nil
		}
		if first && offset == 0 && rec[0] == "row" {
			continue // the header
		}
		n, cerr := strconv.ParseInt(rec[0], 10, 64)
		if cerr != nil || len(rec) < 4 {
			return ReportPage{}, ErrBadOffset
		}
		if len(page.Rows) == limit {
			return page, nil // Next is the offset of this row
		}
		page.Rows = append(page.Rows, ReportRow{Row: n, Column: rec[1], Value: rec[2], Reason: rec[3]})
		page.Next = offset + r.InputOffset()
	}
}
