package inbound

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// ErrTooLarge is returned for a message over the size limit; the reader goes on with the
// next one.
var ErrTooLarge = errors.New("message over the size limit")

// ErrNotMbox is returned for a file that does not start with an mbox "From " line.
var ErrNotMbox = errors.New(`not an mbox file: it does not start with a "From " line`)

// MboxReader reads the messages of an mbox file one at a time, never more than one message
// (bounded by the size limit) in memory. A message starts at a "From " line that opens the
// file or follows an empty line; that empty line ends the message before and is not part of
// it. Lines quoted as ">From " (mboxrd: any number of '>') lose one '>'.
type MboxReader struct {
	br      *bufio.Reader
	max     int
	started bool
	err     error // sticky: io.EOF once the last message was returned
}

// NewMboxReader reads r, refusing messages of more than max bytes (ErrTooLarge).
func NewMboxReader(r io.Reader, max int) *MboxReader {
	return &MboxReader{br: bufio.NewReaderSize(r, 64<<10), max: max}
}

// Next returns the next message, or io.EOF after the last one. ErrTooLarge skips a message
// (call Next again for the one after it); any other error ends the reading.
func (m *MboxReader) Next() ([]byte, error) {
	if m.err != nil {
		return nil, m.err
	}
	if !m.started {
		if err := m.start(); err != nil {
			m.err = err
			return nil, err
		}
	}
	var msg []byte
	size, last, prevBlank, tooBig := 0, 0, false, false
	for {
		line, long, err := m.readLine()
		if len(line) > 0 {
			if prevBlank && !long && bytes.HasPrefix(line, []byte("From ")) {
				break // the next message's separator; the blank line before it is not ours
			}
			size += len(line)
			tooBig = tooBig || long || size > m.max
			if !tooBig {
				last = len(msg)
				msg = append(msg, unquoteFrom(line)...)
			}
			prevBlank = blank(line)
		}
		if err == io.EOF {
			m.err = io.EOF
			break
		}
		if err != nil {
			m.err = fmt.Errorf("read mbox: %w", err)
			return nil, m.err
		}
	}
	if tooBig {
		return nil, fmt.Errorf("%w (%d bytes and more)", ErrTooLarge, size)
	}
	if prevBlank {
		msg = msg[:last]
	}
	return msg, nil
}

// start skips empty lines to the first "From " line.
func (m *MboxReader) start() error {
	for {
		line, _, err := m.readLine()
		if bytes.HasPrefix(line, []byte("From ")) {
			m.started = true
			return nil
		}
		if len(line) > 0 && !blank(line) {
			return ErrNotMbox
		}
		if err == io.EOF {
			return io.EOF
		}
		if err != nil {
			return fmt.Errorf("read mbox: %w", err)
		}
	}
}

// readLine returns the next line with its end; of a line longer than the limit, only the
// start (long is true).
func (m *MboxReader) readLine() (line []byte, long bool, err error) {
	limit := max(m.max, 1024) + 1
	for {
		chunk, err := m.br.ReadSlice('\n')
		if room := limit - len(line); len(chunk) > room {
			chunk, long = chunk[:room], true
		}
		line = append(line, chunk...)
		if err != bufio.ErrBufferFull {
			return line, long, err
		}
	}
}

func blank(line []byte) bool { return len(line) == 1 && line[0] == '\n' || string(line) == "\r\n" }

// unquoteFrom turns ">From " into "From ", ">>From " into ">From " (mboxrd).
func unquoteFrom(line []byte) []byte {
	i := 0
	for i < len(line) && line[i] == '>' {
		i++
	}
	if i > 0 && bytes.HasPrefix(line[i:], []byte("From ")) {
		return line[1:]
	}
	return line
}

// WriteMbox writes messages as an mbox file (mboxrd quoting), the form MboxReader reads; a
// message without a final line end gets one.
func WriteMbox(w io.Writer, msgs [][]byte) error {
	bw := bufio.NewWriter(w)
	for _, msg := range msgs {
		bw.WriteString("From MAILER-DAEMON Thu Jan  1 00:00:00 1970\n")
		for len(msg) > 0 {
			line := msg
			if i := bytes.IndexByte(msg, '\n'); i >= 0 {
				line = msg[:i+1]
			}
			msg = msg[len(line):]
			j := 0
			for j < len(line) && line[j] == '>' {
				j++
			}
			if bytes.HasPrefix(line[j:], []byte("From ")) {
				bw.WriteByte('>')
			}
			bw.Write(line)
			if line[len(line)-1] != '\n' {
				bw.WriteByte('\n')
			}
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
