package contact

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// csvDelimiters are the delimiters detection chooses from, in order of
// preference when the header has as many of one as of another.
var csvDelimiters = [...]byte{',', ';', '\t', '|'}

func validDelimiter(r rune) bool {
	for _, d := range csvDelimiters {
		if r == rune(d) {
			return true
		}
	}
	return false
}

// csvRows is the RowSource of a CSV file.
type csvRows struct {
	r       *csv.Reader
	lim     *rowLimiter
	header  []string
	maxCell int
	n       int
}

func newCSVRows(text *bufio.Reader, opts ReadOptions) (*csvRows, error) {
	delim := byte(opts.Delimiter)
	if delim == 0 {
		head, _ := text.Peek(text.Size()) // short at EOF: detect from what there is
		delim = detectDelimiter(head)
	}
	lim := newRowLimiter(text, delim, opts.maxRow())
	r := csv.NewReader(lim)
	r.Comma = rune(delim)
	r.ReuseRecord = true
	r.FieldsPerRecord = -1 // ragged rows become row errors, not fatal ones
	rec, err := r.Read()
	switch {
	case errors.Is(err, io.EOF):
		return nil, ErrEmptyFile
	case errors.Is(err, errRowTooLarge):
		return nil, fmt.Errorf("the header line is longer than %d bytes; is it really a CSV file?", opts.maxRow())
	case err != nil:
		return nil, fmt.Errorf("header line: %w; fix the quoting of the column names", err)
	}
	header, err := checkHeader(rec)
	if err != nil {
		return nil, err
	}
	return &csvRows{r: r, lim: lim, header: header, maxCell: opts.maxCell()}, nil
}

// detectDelimiter counts the candidates outside quotes in the first line.
func detectDelimiter(b []byte) byte {
	var counts [len(csvDelimiters)]int
	quoted := false
	for _, c := range b {
		if c == '"' {
			quoted = !quoted
		}
		if quoted {
			continue
		}
		if c == '\n' {
			break
		}
		for i, d := range csvDelimiters {
			if c == d {
				counts[i]++
			}
		}
	}
	best := 0
	for i := range counts {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return csvDelimiters[best]
}

// checkHeader trims the column names and rejects empty, invalid and
// duplicate (case-insensitively) ones.
func checkHeader(rec []string) ([]string, error) {
	header := make([]string, len(rec))
	seen := make(map[string]int, len(rec))
	for i, name := range rec {
		name = strings.TrimSpace(name)
		switch {
		case name == "":
			return nil, fmt.Errorf("column %d of the header has no name; name it or delete the column", i+1)
		case !utf8.ValidString(name):
			return nil, fmt.Errorf("column %d of the header is not valid UTF-8; pass the file's encoding with --encoding", i+1)
		}
		key := strings.ToLower(name)
		if j, dup := seen[key]; dup {
			return nil, fmt.Errorf("column %s appears twice in the header (columns %d and %d); rename or delete one", quoteShort(name), j+1, i+1)
		}
		seen[key] = i
		header[i] = name
	}
	return header, nil
}

// Columns implements RowSource.
func (c *csvRows) Columns() []string { return c.header }

// Next implements RowSource.
func (c *csvRows) Next() (Record, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return Record{}, io.EOF
	}
	c.n++
	if err != nil {
		return Record{Num: c.n}, c.readError(err)
	}
	if len(rec) != len(c.header) {
		return Record{Num: c.n}, newRowError(c.n, "", "", fmt.Sprintf(
			"the row has %d fields but the header has %d; check the delimiter and the quoting of this row", len(rec), len(c.header)))
	}
	for i, v := range rec {
		if len(v) > c.maxCell {
			return Record{Num: c.n}, newRowError(c.n, c.header[i], v, fmt.Sprintf(
				"the cell is %d bytes long; the limit is %d", len(v), c.maxCell))
		}
		if !utf8.ValidString(v) {
			return Record{Num: c.n}, newRowError(c.n, c.header[i], v,
				"the cell is not valid UTF-8; re-save the file as UTF-8, or pass its encoding (e.g. --encoding latin-1)")
		}
	}
	return Record{Num: c.n, Cols: c.header, Values: rec}, nil
}

// readError turns an error of the CSV reader into a row error where the
// reader can go on, and a fatal error where it cannot.
func (c *csvRows) readError(err error) error {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		return newRowError(c.n, "", "", fmt.Sprintf(
			"malformed quoting on line %d, column %d (%v); quote the whole cell and double any quote inside it", pe.Line+c.lim.skippedLines, pe.Column, pe.Err))
	case errors.Is(err, errRowTooLarge):
		return newRowError(c.n, "", "", fmt.Sprintf(
			"the row is longer than %d bytes; check for a quote that is opened and never closed", c.lim.max))
	}
	return fmt.Errorf("read row %d: %w", c.n, err)
}
