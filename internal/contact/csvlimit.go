package contact

import (
	"bytes"
	"errors"
	"io"
)

// errRowTooLarge is injected into the CSV reader's input when one record
// grows past the row limit.
var errRowTooLarge = errors.New("row too large")

// rowLimiter sits between the input and encoding/csv and follows the CSV
// syntax just enough to know where each record ends (as encoding/csv with
// LazyQuotes=false sees it). When a record grows past max bytes it makes the
// read fail, then drops input up to the end of that record. This keeps an
// unclosed quote or a huge cell from making encoding/csv buffer the rest of
// the file.
type rowLimiter struct {
	src          io.Reader
	max          int
	since        int // bytes since the last record boundary
	skipping     bool
	skippedLines int // newlines dropped beyond the first of each skip, for line numbers
	scan         csvScanner
}

func newRowLimiter(src io.Reader, delim byte, max int) *rowLimiter {
	l := &rowLimiter{src: src, max: max}
	l.scan.delim = delim
	l.scan.special[delim] = true
	l.scan.special['"'] = true
	l.scan.special['\n'] = true
	return l
}

// Read implements io.Reader.
func (l *rowLimiter) Read(p []byte) (int, error) {
	if l.skipping {
		return l.skip(p)
	}
	if l.since >= l.max {
		l.skipping = true
		return 0, errRowTooLarge
	}
	if room := l.max - l.since; len(p) > room {
		p = p[:room]
	}
	n, err := l.src.Read(p)
	l.advance(p[:n])
	return n, err
}

// advance moves the scanner over b, delivered to the CSV reader.
func (l *rowLimiter) advance(b []byte) {
	for i := 0; ; {
		k := l.scan.next(b[i:])
		if k < 0 {
			l.since += len(b) - i
			return
		}
		i += k
		l.since = 0
	}
}

// skip drops input up to the end of the oversized record and delivers what
// follows it.
func (l *rowLimiter) skip(p []byte) (int, error) {
	lines := -1 // the CSV reader counted the line it was in
	for {
		n, err := l.src.Read(p)
		k := l.scan.next(p[:n])
		if k < 0 {
			lines += bytes.Count(p[:n], []byte{'\n'})
			if err != nil {
				return 0, err
			}
			continue
		}
		lines += bytes.Count(p[:k], []byte{'\n'})
		l.skippedLines += max(lines, 0)
		l.skipping, l.since = false, 0
		m := copy(p, p[k:n])
		l.advance(p[:m])
		return m, err
	}
}

// csvScanner states.
const (
	scanFieldStart = iota // at the start of a field (or record)
	scanUnquoted          // inside a field without quotes
	scanQuoted            // inside a quoted field
	scanQuote             // just after a quote inside a quoted field
	scanQuoteCR           // after a closing quote and a CR
	scanBadLine           // after a quoting error: the record ends with the line
)

// csvScanner finds record boundaries.
type csvScanner struct {
	state   int
	delim   byte
	special [256]bool // delim, quote and newline
}

// next returns the offset just past the first record boundary in b, or -1.
func (s *csvScanner) next(b []byte) int {
	for i := 0; i < len(b); {
		switch s.state {
		case scanFieldStart:
			c := b[i]
			i++
			switch c {
			case '"':
				s.state = scanQuoted
			case '\n':
				return i
			case s.delim:
			default:
				s.state = scanUnquoted
			}
		case scanUnquoted:
			for i < len(b) && !s.special[b[i]] {
				i++
			}
			if i == len(b) {
				return -1
			}
			c := b[i]
			i++
			switch c {
			case '\n':
				s.state = scanFieldStart
				return i
			case '"':
				s.state = scanBadLine
			default:
				s.state = scanFieldStart
			}
		case scanQuoted:
			k := bytes.IndexByte(b[i:], '"')
			if k < 0 {
				return -1
			}
			i += k + 1
			s.state = scanQuote
		case scanQuote:
			c := b[i]
			i++
			switch c {
			case '"':
				s.state = scanQuoted
			case s.delim:
				s.state = scanFieldStart
			case '\n':
				s.state = scanFieldStart
				return i
			case '\r':
				s.state = scanQuoteCR
			default:
				s.state = scanBadLine
			}
		case scanQuoteCR:
			c := b[i]
			i++
			if c == '\n' {
				s.state = scanFieldStart
				return i
			}
			s.state = scanBadLine
		case scanBadLine:
			k := bytes.IndexByte(b[i:], '\n')
			if k < 0 {
				return -1
			}
			s.state = scanFieldStart
			return i + k + 1
		}
	}
	return -1
}
