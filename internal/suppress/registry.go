package suppress

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"time"
)

// RegistryMaxAge is how old a National Do Not Call Registry download may be
// when calls are made: the safe harbor asks for data accessed no more than 31
// days before the call (16 CFR §310.4(b)(3)(iv); 47 CFR §64.1200(c)(2)(i)(D)).
const RegistryMaxAge = 31 // days

// RegistryStale reports whether registry data fetched at fetched is too old
// to call from at now.
func RegistryStale(fetched, now time.Time) bool {
	return now.After(fetched.AddDate(0, 0, RegistryMaxAge))
}

// RegistryRecord is one number of a registry file.
type RegistryRecord struct {
	Line   int    // 1-based line number in the file
	Number uint64 // the ten-digit NANP number, e.g. 4155550123
	Delete bool   // a change file's deletion; otherwise an addition
}

// E164 returns the number as "+1XXXXXXXXXX".
func (r RegistryRecord) E164() string { return string(r.AppendE164(make([]byte, 0, 12))) }

// AppendE164 appends the number as "+1XXXXXXXXXX" to b, for loops that hash
// millions of numbers without allocating.
func (r RegistryRecord) AppendE164(b []byte) []byte {
	b = append(b, '+', '1')
	var d [10]byte
	n := r.Number
	for i := 9; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, d[:]...)
}

// BadLine is a line the parser skipped.
type BadLine struct {
	Line   int
	Text   string // the line, cut to 80 bytes
	Reason string
}

// Error says which line was skipped and why.
func (b BadLine) Error() string { return fmt.Sprintf("line %d: %s: %q", b.Line, b.Reason, b.Text) }

// RegistryReport sums up a parsed file.
type RegistryReport struct {
	Lines   int       // lines read, blank ones included
	Added   int       // numbers to add (every number of a full file)
	Deleted int       // numbers a change file deletes
	Bad     []BadLine // the skipped lines, in order
}

// RegistryOptions bound the parser.
type RegistryOptions struct {
	// MaxBad is how many bad lines are tolerated before the file is refused
	// as the wrong file (ErrTooManyBadLines); 0 means 1000.
	MaxBad int
}

// ErrTooManyBadLines stops a parse whose file has more bad lines than
// RegistryOptions.MaxBad.
var ErrTooManyBadLines = errors.New("too many bad lines: is this a Do Not Call Registry download or a list of phone numbers?")

// ParseRegistry streams a US National Do Not Call Registry download, or a
// plain CSV whose first column is a US phone number, calling fn for every
// number in file order. It reads line by line with a fixed buffer, so a file
// of any size takes constant memory, and allocates nothing for good lines.
// A gzip-compressed stream is decompressed; a zip archive must be unzipped
// first.
//
// The FTC documents its flat text download only loosely: the full list has
// "one telephone number per line" (some guides say area code and number
// separated by a comma), and the change list "several data items per record,
// separated by commas". This parser therefore accepts, per line: ten digits
// ("4155550123"), area code and number as two fields ("415,5550123"), any
// punctuation inside the number ("415-555-0123", "(415) 555.0123",
// "+1 415 555 0123", "14155550123"), and further fields after the number,
// among which an add or delete flag (A, ADD, D, DEL, DELETE, any case) marks
// a change-file record; other fields (dates) are ignored. Fields are
// separated by commas, tabs, semicolons or bars and may be quoted. A first
// line without digits is taken as a header. Blank lines and lines starting
// with # are skipped; any other line that does not hold a valid NANP number
// is reported in the RegistryReport with its line number and skipped.
func ParseRegistry(r io.Reader, opts RegistryOptions, fn func(RegistryRecord) error) (RegistryReport, error) {
	maxBad := opts.MaxBad
	if maxBad <= 0 {
		maxBad = 1000
	}
	br := bufio.NewReaderSize(r, 64<<10)
	br, err := unwrap(br)
	if err != nil {
		return RegistryReport{}, err
	}
	var rep RegistryReport
	bad := func(line []byte, reason string) error {
		rep.Bad = append(rep.Bad, BadLine{Line: rep.Lines, Text: string(line[:min(len(line), 80)]), Reason: reason})
		if len(rep.Bad) > maxBad {
			return fmt.Errorf("registry file: %d bad lines by line %d: %w", len(rep.Bad), rep.Lines, ErrTooManyBadLines)
		}
		return nil
	}
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			rep.Lines++
			if e := bad(line, "the line is longer than 64 KiB"); e != nil {
				return rep, e
			}
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
		} else if len(line) > 0 {
			rep.Lines++
			if rep.Lines == 1 {
				line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
			}
			rec, reason := parseRegistryLine(line)
			switch {
			case reason == reasonSkip:
			case reason == reasonHeader && rep.Lines == 1:
			case reason != "":
				if e := bad(bytes.TrimRight(line, "\r\n"), reason); e != nil {
					return rep, e
				}
			default:
				rec.Line = rep.Lines
				if rec.Delete {
					rep.Deleted++
				} else {
					rep.Added++
				}
				if e := fn(rec); e != nil {
					return rep, fmt.Errorf("registry file line %d: %w", rep.Lines, e)
				}
			}
		}
		if err == io.EOF {
			return rep, nil
		}
		if err != nil {
			return rep, fmt.Errorf("registry file after line %d: %w", rep.Lines, err)
		}
	}
}

// unwrap decompresses a gzip stream and refuses a zip archive or the XML
// download, by their first bytes.
func unwrap(br *bufio.Reader) (*bufio.Reader, error) {
	head, _ := br.Peek(5)
	switch {
	case bytes.HasPrefix(head, []byte("\x1f\x8b")):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("registry file: the gzip stream is damaged: %w", err)
		}
		return bufio.NewReaderSize(zr, 64<<10), nil
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return nil, errors.New("registry file is a zip archive: unzip it and give the text file inside")
	case bytes.HasPrefix(head, []byte("<?xml")):
		return nil, errors.New("registry file is the XML download: download the flat text file instead")
	}
	return br, nil
}
