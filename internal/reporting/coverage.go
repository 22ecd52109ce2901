package reporting

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
)

// CoverageRow is consent coverage of the contacts of one source type in one jurisdiction:
// how many there are and how many hold a consent in force (for any purpose and channel: the
// latest ledger entry of that purpose and channel granted or confirmed).
type CoverageRow struct {
	SourceType   string `json:"source_type"`
	Jurisdiction string `json:"jurisdiction"` // the policy's jurisdiction rule id, e.g. jur-de
	Contacts     int64  `json:"contacts"`
	Covered      int64  `json:"covered"`
	// JurisdictionName is the rule's name (filled when read, from the policy).
	JurisdictionName string `json:"-"`
}

// Share is the covered share of the row's contacts, between 0 and 1.
func (r CoverageRow) Share() float64 {
	if r.Contacts == 0 {
		return 0
	}
	return float64(r.Covered) / float64(r.Contacts)
}

// Coverage is the consent coverage report, as of the last background count.
type Coverage struct {
	Rows      []CoverageRow // by source type, then jurisdiction
	CountedAt time.Time     // zero: not counted yet
}

// Coverage reads the consent coverage report of the last count (the ledger is not read on a
// page view: coverage needs every contact's entries).
func (s *Service) Coverage(ctx context.Context, ws int64) (Coverage, error) {
	snap, st, err := s.read(ctx, ws)
	if err != nil {
		return Coverage{}, err
	}
	names := map[string]string{}
	for _, j := range s.pol.Jurisdictions() {
		names[j.ID] = j.Name
	}
	for i := range snap.Coverage {
		snap.Coverage[i].JurisdictionName = cmp.Or(names[snap.Coverage[i].Jurisdiction], snap.Coverage[i].Jurisdiction)
	}
	return Coverage{Rows: snap.Coverage, CountedAt: st.CountedAt}, nil
}

// covered is the sorted ids of the contacts with a consent in force.
type covered []int64

func (c covered) has(id int64) bool { _, ok := slices.BinarySearch(c, id); return ok }

// coveredContacts reads the ledger once, in (contact, purpose, channel, entry) order: the last
// entry of each purpose and channel is the one in force.
func (s *Service) coveredContacts(ctx context.Context, ws int64) (covered, error) {
	var out covered
	var prev LedgerAction
	inForce := func(a LedgerAction) bool {
		return a.Action == string(consent.Granted) || a.Action == string(consent.Confirmed)
	}
	flush := func() {
		if prev.ContactID != 0 && inForce(prev) && (len(out) == 0 || out[len(out)-1] != prev.ContactID) {
			out = append(out, prev.ContactID)
		}
	}
	err := s.st.EachLedgerAction(ctx, ws, func(a LedgerAction) error {
		if a.ContactID != prev.ContactID || a.Purpose != prev.Purpose || a.Channel != prev.Channel {
			flush()
		}
		prev = a
		return nil
	})
	if err != nil {
		return nil, err
	}
	flush()
	return out, nil
}

func sortCoverage(rows []CoverageRow) {
	slices.SortFunc(rows, func(a, b CoverageRow) int {
		return cmp.Or(cmp.Compare(a.SourceType, b.SourceType), cmp.Compare(a.Jurisdiction, b.Jurisdiction))
	})
}
