package dsn

import (
	"bytes"
	"regexp"
)

// mboxFromRe is an mbox separator line: "From sender  Thu Jul  2 12:05:05 2020".
var mboxFromRe = regexp.MustCompile(`^From \S*\s+(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) `)

// SplitMbox splits an mbox file (messages each starting with a "From " line after a blank
// line) into its messages; anything else is one message. The slices share raw's memory.
func SplitMbox(raw []byte) [][]byte {
	if !bytes.HasPrefix(raw, []byte("From ")) {
		return [][]byte{raw}
	}
	var out [][]byte
	start := 0
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte("\nFrom "))
		if j < 0 {
			break
		}
		j += i
		// A new message only at a separator line with its date (a body's "From " is no such line).
		if mboxFromRe.Match(raw[j+1 : min(len(raw), j+80)]) {
			out = append(out, raw[start:j+1])
			start = j + 1
		}
		i = j + 1
	}
	return append(out, raw[start:])
}
