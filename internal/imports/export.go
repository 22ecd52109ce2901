package imports

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/clearlist/clearlist/internal/contact"
)

// ExportRequest says which contacts to export and how.
type ExportRequest struct {
	List   string // list name; "" = every contact of the workspace
	Status contact.Status
	Format string // csv (default) or jsonl
	// IncludeSuppressed keeps contacts on the do-not-contact list (any channel, any purpose);
	// by default an export leaves them out, so that no list made from it reaches them.
	IncludeSuppressed bool
}

// Export streams the workspace's contacts to out. CSV cells that a spreadsheet would run as a
// formula are neutralised; attribute columns follow the workspace's declared schema.
func (s *Service) Export(ctx context.Context, ws int64, out io.Writer, req ExportRequest) (int, error) {
	f := contact.Filter{Status: req.Status}
	if req.List != "" {
		l, err := s.lists.ListByName(ctx, ws, req.List)
		if err != nil {
			return 0, fmt.Errorf("list %q: %w (see `clearlist list ls`)", req.List, err)
		}
		f.ListID = l.ID
	}
	attrs, err := s.st.Attributes(ctx, ws)
	if err != nil {
		return 0, err
	}
	var skip func(contact.Contact) bool
	if !req.IncludeSuppressed {
		blocked, err := s.scr.Blocked(ctx, ws)
		if err != nil {
			return 0, err
		}
		skip = func(c contact.Contact) bool { return blocked(c.EmailCanonical, c.Phone) }
	}
	bw := bufio.NewWriterSize(out, 64<<10)
	var n int
	switch req.Format {
	case "", "csv":
		n, err = s.exportCSV(ctx, ws, bw, f, attrs, skip)
	case "jsonl":
		n, err = s.exportJSONL(ctx, ws, bw, f, skip)
	default:
		return 0, fmt.Errorf("unknown export format %q: use csv or jsonl", req.Format)
	}
	if err != nil {
		return n, err
	}
	return n, bw.Flush()
}

func (s *Service) exportCSV(ctx context.Context, ws int64, out io.Writer, f contact.Filter, attrs []contact.Attribute, skip func(contact.Contact) bool) (int, error) {
	cw := csv.NewWriter(out)
	header := []string{"email", "phone", "status", "country", "contact_kind", "created_at"}
	// A declared country attribute (data from before the field) fills the country column of
	// contacts whose field is empty; no column appears twice.
	var countryAttr string
	attrs = slices.DeleteFunc(slices.Clone(attrs), func(at contact.Attribute) bool {
		switch strings.ToLower(at.Name) {
		case "country":
			countryAttr = at.Name
			return true
		case "contact_kind":
			return true
		}
		return false
	})
	for _, at := range attrs {
		header = append(header, at.Name)
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	rec := make([]string, len(header))
	n := 0
	err := s.st.EachContact(ctx, ws, f, func(c contact.Contact) error {
		if skip != nil && skip(c) {
			return nil
		}
		rec[0], rec[1], rec[2], rec[3], rec[4] = c.Email, c.Phone, string(c.Status), c.Country, string(c.Kind)
		if c.Country == "" && countryAttr != "" {
			rec[3] = contact.FormatAttr(c.Attrs[countryAttr])
		}
		rec[5] = c.CreatedAt.Format("2006-01-02T15:04:05Z07:00")
		for i, at := range attrs {
			rec[6+i] = contact.FormatAttr(c.Attrs[at.Name])
		}
		for i := range rec {
			rec[i] = contact.NeutralizeCell(rec[i])
		}
		n++
		return cw.Write(rec)
	})
	cw.Flush()
	if err == nil {
		err = cw.Error()
	}
	return n, err
}

func (s *Service) exportJSONL(ctx context.Context, ws int64, out io.Writer, f contact.Filter, skip func(contact.Contact) bool) (int, error) {
	enc := json.NewEncoder(out)
	n := 0
	err := s.st.EachContact(ctx, ws, f, func(c contact.Contact) error {
		if skip != nil && skip(c) {
			return nil
		}
		n++
		return enc.Encode(c)
	})
	return n, err
}
