package contact

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// ReadAddresses reads the e-mail addresses of a file with the CSV reader imports use
// (encoding and delimiter detected, quoted cells kept whole): the column named like an
// e-mail column (email, E-Mail Address, …), else the first one. A first line whose cell
// holds an '@' is an address, not a header, so a plain list of addresses reads as well.
func ReadAddresses(r io.Reader) ([]string, error) {
	rows, err := NewRowSource(r, ReadOptions{Format: FormatCSV})
	if err != nil {
		return nil, err
	}
	header := rows.Columns()
	col := 0
	for i, name := range header {
		if fieldAliases[SquashName(name)] == toEmail {
			col = i
			break
		}
	}
	var out []string
	if first := strings.TrimSpace(header[col]); strings.Contains(first, "@") {
		out = append(out, first)
	}
	for {
		rec, err := rows.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w (the file is read as CSV: one address per line, or a header with an email column)", err)
		}
		if v := strings.TrimSpace(rec.Values[col]); v != "" {
			out = append(out, v)
		}
	}
}
