package suppress

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
)

// CallListReport sums up a call list.
type CallListReport struct {
	Contacts      int  `json:"contacts"`
	Kept          int  `json:"kept"`
	NoPhone       int  `json:"no_phone"`
	Suppressed    int  `json:"suppressed"`
	OutsideHours  int  `json:"outside_hours"`
	StaleRegistry bool `json:"stale_registry,omitempty"` // the last national registry import is over 31 days old
}

// CallList writes the list's contacts that may be called at the instant at as CSV
// (contact_id, email, phone, local_time, zones): screened against the do-not-contact list
// for the phone channel (and purpose, when given), and kept only where the local time of the
// number's every possible time zone is inside the window.
func (s *Service) CallList(ctx context.Context, ws int64, list, purpose string, at time.Time, window Window, out io.Writer) (CallListReport, error) {
	var rep CallListReport
	if err := window.Validate(); err != nil {
		return rep, err
	}
	l, err := s.st.ListByName(ctx, ws, list)
	if err != nil {
		return rep, fmt.Errorf("list %q: %w (see `clearlist list ls`)", list, err)
	}
	scr, err := s.Screen(ctx, ws, true)
	if err != nil {
		return rep, err
	}
	if last, ok, err := s.lastRegistryFetch(ctx, ws); err != nil {
		return rep, err
	} else if ok && RegistryStale(last, at) {
		rep.StaleRegistry = true
	}
	bw := bufio.NewWriter(out)
	cw := csv.NewWriter(bw)
	if err := cw.Write([]string{"contact_id", "email", "phone", "local_time", "zones"}); err != nil {
		return rep, err
	}
	err = s.st.EachListContact(ctx, ws, l.ID, func(c contact.Contact) error {
		rep.Contacts++
		if c.Phone == "" {
			rep.NoPhone++
			return nil
		}
		if scr.BlocksContact(c.EmailCanonical, c.Phone, ChannelPhone, purpose) {
			rep.Suppressed++
			return nil
		}
		ok, zones, _ := CallableAt(c.Phone, at, window)
		if !ok {
			rep.OutsideHours++
			return nil
		}
		rep.Kept++
		local := ""
		if loc, err := time.LoadLocation(zones[0]); err == nil {
			local = at.In(loc).Format("15:04")
		}
		return cw.Write([]string{strconv.FormatInt(c.ID, 10), contact.NeutralizeCell(c.Email), c.Phone, local, strings.Join(zones, " ")})
	})
	if err != nil {
		return rep, err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rep, err
	}
	return rep, bw.Flush()
}
