package report

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
)

// Formats are the export formats of a bucket.
var Formats = []string{"csv", "jsonl"}

// Export writes every member of a bucket to w as CSV (with a header line) or JSON lines.
func (s *Service) Export(ctx context.Context, ws, id int64, b Bucket, format string, w io.Writer) error {
	switch format {
	case "jsonl", "json":
		enc := json.NewEncoder(w)
		return s.Each(ctx, ws, id, b, func(m Member) error { return enc.Encode(m) })
	case "csv", "":
		cw := csv.NewWriter(w)
		if err := cw.Write([]string{"contact_id", "address", "state", "reason", "smtp_code", "message_id", "at"}); err != nil {
			return err
		}
		err := s.Each(ctx, ws, id, b, func(m Member) error {
			code := ""
			if m.SMTPCode != 0 {
				code = strconv.Itoa(m.SMTPCode)
			}
			return cw.Write([]string{strconv.FormatInt(m.ContactID, 10), csvSafe(m.Address), m.State, csvSafe(m.Reason),
				code, csvSafe(m.MessageID), m.At.UTC().Format(time.RFC3339)})
		})
		cw.Flush()
		if err != nil {
			return err
		}
		return cw.Error()
	}
	return fmt.Errorf("%w: unknown format %q: use one of %v", campaign.ErrInvalid, format, Formats)
}

// csvSafe keeps a spreadsheet from reading a cell as a formula (CSV injection): a value
// starting with = + - @ or a tab gets a leading apostrophe.
func csvSafe(v string) string {
	if v != "" && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' || v[0] == '\r') {
		return "'" + v
	}
	return v
}
