package contact

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// Format is the syntax of an input file.
type Format string

// The input formats.
const (
	FormatAuto  Format = ""      // decided by the first non-space character: '{' means JSON lines
	FormatCSV   Format = "csv"   // a header line, then one row per record
	FormatJSONL Format = "jsonl" // one JSON object per line
)

// defaultMaxCellBytes is the cell size limit when ReadOptions leaves it 0.
const defaultMaxCellBytes = 1 << 20

// ReadOptions says how to read an input file; the zero value detects
// everything.
type ReadOptions struct {
	Format    Format // FormatAuto: by the first non-space character after decoding
	Delimiter rune   // 0: detect from the header line among , ; TAB |
	// Encoding is "" or "auto" (detect), "utf-8", "utf-16", "utf-16le",
	// "utf-16be", "latin-1" or "iso-8859-1" (both read as Windows-1252).
	Encoding string
	// MaxCellBytes limits one cell (0: 1 MiB); a larger cell is a row error.
	// A whole row (CSV record or JSON line) is limited to 4×MaxCellBytes+64 KiB,
	// which also stops an unclosed quote from reading the rest of the file
	// into memory.
	MaxCellBytes int

	rowLimit int // tests: overrides the row limit
}

func (o ReadOptions) maxCell() int {
	if o.MaxCellBytes <= 0 {
		return defaultMaxCellBytes
	}
	return o.MaxCellBytes
}

func (o ReadOptions) maxRow() int {
	if o.rowLimit > 0 {
		return o.rowLimit
	}
	return 4*o.maxCell() + 64<<10
}

// Record is one data row as read, before normalisation.
type Record struct {
	// Num is the 1-based data row number as a user sees it: the header is not
	// counted; for JSON lines it is the line number.
	Num int
	// Cols names the values. For CSV it is the header slice, shared by every
	// record; for JSON lines the keys in order of appearance, shared by
	// consecutive lines with the same keys.
	Cols []string
	// Values holds one value per column. The slice (not the strings) is reused
	// by the next call to Next; copy it to keep it.
	Values []string
}

// RowSource yields the records of an input file, streaming in constant
// memory.
type RowSource interface {
	// Columns returns the CSV header (names trimmed), or nil for JSON lines.
	Columns() []string
	// Next returns the next record, or io.EOF after the last one. A bad row
	// gives an error that errors.As turns into *RowError; Next may be called
	// again after it. Any other error is fatal.
	Next() (Record, error)
}

// NewRowSource detects the encoding and format of r as opts allow and
// returns a RowSource over its rows. It reads the CSV header, so a bad
// header is reported here.
func NewRowSource(r io.Reader, opts ReadOptions) (RowSource, error) {
	if opts.Delimiter != 0 && !validDelimiter(opts.Delimiter) {
		return nil, fmt.Errorf("delimiter %q cannot be used: use , ; | or a tab", opts.Delimiter)
	}
	text, err := decodeInput(bufio.NewReaderSize(r, sampleBytes), opts.Encoding)
	if err != nil {
		return nil, err
	}
	format := opts.Format
	if format == FormatAuto {
		if format, err = detectFormat(text); err != nil {
			return nil, err
		}
	}
	switch format {
	case FormatCSV:
		return newCSVRows(text, opts)
	case FormatJSONL:
		if _, err := firstNonSpace(text); err != nil {
			return nil, err
		}
		return newJSONLRows(text, opts), nil
	}
	return nil, fmt.Errorf("unknown format %q: use csv or jsonl (or leave it out to detect)", opts.Format)
}

// detectFormat looks at the first non-space character.
func detectFormat(br *bufio.Reader) (Format, error) {
	c, err := firstNonSpace(br)
	if err != nil {
		return "", err
	}
	if c == '{' {
		return FormatJSONL, nil
	}
	return FormatCSV, nil
}

// firstNonSpace peeks at the first byte that is not white space, looking
// no further than the reader's buffer.
func firstNonSpace(br *bufio.Reader) (byte, error) {
	for n := 64; ; n *= 2 {
		b, err := br.Peek(min(n, br.Size()))
		for _, c := range b {
			if c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v' {
				return c, nil
			}
		}
		switch {
		case errors.Is(err, io.EOF):
			return 0, ErrEmptyFile
		case err != nil && !errors.Is(err, bufio.ErrBufferFull):
			return 0, fmt.Errorf("read input: %w", err)
		case n >= br.Size():
			return ' ', nil // a buffer of white space: let the parser decide
		}
	}
}
