package contact

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// jsonlRows is the RowSource of a JSON-lines file.
type jsonlRows struct {
	r       *bufio.Reader
	maxCell int
	maxLine int
	n       int
	line    []byte   // the current line, reused
	cols    []string // the keys of the last good line, shared while they repeat
	keys    []string // the keys of the current line, reused
	vals    []string
}

func newJSONLRows(text *bufio.Reader, opts ReadOptions) *jsonlRows {
	return &jsonlRows{r: text, maxCell: opts.maxCell(), maxLine: opts.maxRow()}
}

// Columns implements RowSource: JSON lines have no header.
func (j *jsonlRows) Columns() []string { return nil }

// Next implements RowSource.
func (j *jsonlRows) Next() (Record, error) {
	for {
		line, tooLong, err := j.readLine()
		if err != nil {
			return Record{}, err
		}
		j.n++
		if tooLong {
			return Record{Num: j.n}, newRowError(j.n, "", "", fmt.Sprintf("the line is longer than %d bytes; split it or raise the cell limit", j.maxLine))
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if rerr := j.parse(line); rerr != nil {
			return Record{Num: j.n}, rerr
		}
		return Record{Num: j.n, Cols: j.shareCols(), Values: j.vals}, nil
	}
}

// readLine returns the next line without its newline. A line longer than
// maxLine is read to its end but not kept (tooLong).
func (j *jsonlRows) readLine() (line []byte, tooLong bool, err error) {
	j.line = j.line[:0]
	for {
		chunk, err := j.r.ReadSlice('\n')
		if !tooLong {
			if len(j.line)+len(chunk) > j.maxLine {
				tooLong, j.line = true, j.line[:0]
			} else {
				j.line = append(j.line, chunk...)
			}
		}
		switch {
		case err == nil:
			return j.line, tooLong, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(j.line) == 0 && !tooLong {
				return nil, false, io.EOF
			}
			return j.line, tooLong, nil
		default:
			return nil, false, fmt.Errorf("read line %d: %w", j.n+1, err)
		}
	}
}

// parse reads one JSON object of plain values into keys and vals.
func (j *jsonlRows) parse(line []byte) *RowError {
	if !utf8.Valid(line) {
		return newRowError(j.n, "", "", "the line is not valid UTF-8; re-save the file as UTF-8, or pass its encoding (e.g. --encoding latin-1)")
	}
	notObject := newRowError(j.n, "", "", `the line is not one JSON object; write each row as {"email": "…", …} on its own line`)
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return notObject
	}
	j.keys, j.vals = j.keys[:0], j.vals[:0]
	for dec.More() {
		tok, err := dec.Token()
		key, ok := tok.(string)
		if err != nil || !ok {
			return notObject
		}
		if indexOf(j.keys, key) >= 0 {
			return newRowError(j.n, key, "", "the key appears twice in the object; keep one")
		}
		if tok, err = dec.Token(); err != nil {
			return notObject
		}
		val, rerr := j.value(key, tok)
		if rerr != nil {
			return rerr
		}
		j.keys, j.vals = append(j.keys, key), append(j.vals, val)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return notObject
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return notObject
	}
	return nil
}

// value turns a JSON value token into the text of a cell.
func (j *jsonlRows) value(key string, tok json.Token) (string, *RowError) {
	var s string
	switch v := tok.(type) {
	case string:
		s = v
	case json.Number:
		s = v.String()
	case bool:
		s = strconv.FormatBool(v)
	case nil:
		return "", nil
	default:
		return "", newRowError(j.n, key, "", "the value is a nested object or array; give a plain string, number or true/false")
	}
	if len(s) > j.maxCell {
		return "", newRowError(j.n, key, s, fmt.Sprintf("the value is %d bytes long; the limit is %d", len(s), j.maxCell))
	}
	return s, nil
}

// shareCols returns the keys as a slice shared with the previous record
// when they are the same, so the normaliser resolves them once.
func (j *jsonlRows) shareCols() []string {
	if len(j.cols) == len(j.keys) {
		same := true
		for i := range j.keys {
			if j.cols[i] != j.keys[i] {
				same = false
				break
			}
		}
		if same {
			return j.cols
		}
	}
	j.cols = append([]string(nil), j.keys...)
	return j.cols
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}
