package suppress

import (
	"bufio"
	"cmp"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// ScreenReport sums up the screening of a file.
type ScreenReport struct {
	Rows    int `json:"rows"`
	Kept    int `json:"kept"`
	Blocked int `json:"blocked"`
	Invalid int `json:"invalid"` // the identifier could not be read; left out (it cannot be screened)
}

// ScreenFile copies a CSV file to out without the rows whose identifier (the column named
// column, or the first of email, phone, value) is on the do-not-contact list for the channel
// and purpose. Rows whose identifier cannot be read are left out too and counted.
func (s *Service) ScreenFile(ctx context.Context, ws int64, in io.Reader, out io.Writer, column, channel, purpose string) (ScreenReport, error) {
	var rep ScreenReport
	scr, err := s.Screen(ctx, ws, true)
	if err != nil {
		return rep, err
	}
	cr := csv.NewReader(in)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return rep, fmt.Errorf("%w: read the header: %v", ErrInvalid, err)
	}
	idx := -1
	for _, want := range []string{column, "email", "phone", "value"} {
		for i, h := range head {
			if want != "" && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")), want) {
				idx = i
				break
			}
		}
		if idx >= 0 || column != "" {
			break
		}
	}
	if idx < 0 {
		return rep, fmt.Errorf("%w: no column %q; the header has %s", ErrInvalid, cmp.Or(column, "email, phone or value"), strings.Join(head, ", "))
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	cw := csv.NewWriter(bw)
	if err := cw.Write(head); err != nil {
		return rep, err
	}
	const chunk = 10000
	rows := make([][]string, 0, chunk)
	values := make([]string, 0, chunk)
	results := make([]Result, chunk)
	flush := func() error {
		for kind, vals := range groupByKind(values) {
			if _, err := scr.CheckBatch(kind, vals.values, channel, purpose, results[:len(vals.values)]); err != nil {
				return err
			}
			for j, i := range vals.rows {
				switch r := results[j]; {
				case r.Err != nil:
					rep.Invalid++
					rows[i] = nil
				case r.Blocked:
					rep.Blocked++
					rows[i] = nil
				}
			}
		}
		for _, rec := range rows {
			if rec != nil {
				rep.Kept++
				if err := cw.Write(rec); err != nil {
					return err
				}
			}
		}
		rows, values = rows[:0], values[:0]
		return nil
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, fmt.Errorf("%w: row %d: %v", ErrInvalid, rep.Rows+2, err)
		}
		rep.Rows++
		v := ""
		if idx < len(rec) {
			v = rec[idx]
		}
		rows, values = append(rows, rec), append(values, v)
		if len(rows) == chunk {
			if err := flush(); err != nil {
				return rep, err
			}
		}
	}
	if err := flush(); err != nil {
		return rep, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rep, err
	}
	return rep, bw.Flush()
}

type kindGroup struct {
	values []string
	rows   []int
}

// groupByKind splits a column that mixes addresses and numbers by what each value is.
func groupByKind(values []string) map[Kind]*kindGroup {
	out := map[Kind]*kindGroup{}
	for i, v := range values {
		k := GuessKind(v)
		g := out[k]
		if g == nil {
			g = &kindGroup{}
			out[k] = g
		}
		g.values, g.rows = append(g.values, v), append(g.rows, i)
	}
	return out
}
