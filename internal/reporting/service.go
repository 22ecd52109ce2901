// Package reporting answers the workspace-wide reports of the dashboard and the Reports pages:
// the audience by status and its growth, consent coverage by source type and jurisdiction, and
// do-not-contact intake with deadline compliance. The audience figures come from a snapshot
// that the report_counts job counts in the background (Count), plus the contacts added since,
// read by primary key, so that no page view counts a million contacts.
package reporting

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
)

// ContactFact is what the audience reports read of one contact.
type ContactFact struct {
	ID         int64
	Status     string
	CreatedAt  time.Time
	Country    string
	SourceType string // the type of the source that created the contact
}

// LedgerAction is one consent ledger entry, as coverage reads it.
type LedgerAction struct {
	ContactID        int64
	Purpose, Channel string
	Action           string
}

// DNCFact is what the intake report reads of one do-not-contact entry.
type DNCFact struct {
	ID                               int64
	Kind, Reason, ChannelIn          string
	ReceivedAt, RecordedAt, Deadline time.Time
	DeadlineRule                     string
}

// Store is what the service reads; the store implements it.
type Store interface {
	// WorkspaceIDs lists every workspace.
	WorkspaceIDs(ctx context.Context) ([]int64, error)
	// EachContactFact calls fn for the workspace's contacts with id > after, in id order;
	// with limit > 0 only ids up to after+limit.
	EachContactFact(ctx context.Context, ws, after int64, limit int, fn func(ContactFact) error) error
	// EachLedgerAction calls fn for the workspace's consent entries in (contact, purpose,
	// channel, entry) order.
	EachLedgerAction(ctx context.Context, ws int64, fn func(LedgerAction) error) error
	// ReportSnapshot reads the workspace's stored snapshot; ok is false when there is none.
	ReportSnapshot(ctx context.Context, ws int64) (s Stored, ok bool, err error)
	// PutReportSnapshot stores the workspace's snapshot, replacing the one before.
	PutReportSnapshot(ctx context.Context, ws int64, s Stored) error
	// EachDNCAfter calls fn for the workspace's do-not-contact entries with id > after
	// (removed ones too), in id order; with limit > 0 only ids up to after+limit.
	EachDNCAfter(ctx context.Context, ws, after int64, limit int, fn func(DNCFact) error) error
	// ListMemberCounts counts the members of each list of the workspace (by list id).
	ListMemberCounts(ctx context.Context, ws int64) (map[int64]int64, error)
	// ListsOnly returns the workspace's lists by name, without counting members.
	ListsOnly(ctx context.Context, ws int64) ([]contact.List, error)
	// LastIDs returns the instance's highest contact and do-not-contact entry ids.
	LastIDs(ctx context.Context) (contactID, suppressionID int64, err error)
}

// Stored is a workspace's snapshot as stored: the counts (JSON) of the contacts up to
// UptoContact, counted at CountedAt.
type Stored struct {
	UptoContact int64
	CountedAt   time.Time
	Body        []byte
}

// Service answers the reports. It is safe for concurrent use.
type Service struct {
	st  Store
	pol *policy.Policy
	now func() time.Time
}

// New returns the service; pol nil means the default policy (for jurisdictions).
func New(st Store, pol *policy.Policy) *Service {
	if pol == nil {
		pol = policy.Default()
	}
	return &Service{st: st, pol: pol, now: time.Now}
}

// LiveWindow is how many contacts above the snapshot a page reads at most: enough for what
// arrives between two counts of a busy workspace, and read by primary key in a few milliseconds.
// Contacts beyond it appear at the next count (Audience.Partial says so).
const LiveWindow = 20000

// snapshot is the stored body of a workspace's counts.
type snapshot struct {
	Status   map[string]int64 `json:"status"`
	Days     map[string]int64 `json:"days"` // "2006-01-02" (UTC) -> contacts created that day
	Coverage []CoverageRow    `json:"coverage"`
	Lists    map[int64]int64  `json:"lists"` // list id -> members
	DNC      dncCounts        `json:"dnc"`
}

// CountAll counts every workspace's snapshot (the report_counts job) and returns how many
// workspaces it counted.
func (s *Service) CountAll(ctx context.Context, now time.Time) (int, error) {
	ids, err := s.st.WorkspaceIDs(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, ws := range ids {
		if err := s.Count(ctx, ws, now); err != nil {
			return n, fmt.Errorf("count the reports of workspace %d: %w", ws, err)
		}
		n++
	}
	return n, nil
}

// Count reads every contact and consent entry of the workspace once and stores the counts.
func (s *Service) Count(ctx context.Context, ws int64, now time.Time) error {
	covered, err := s.coveredContacts(ctx, ws)
	if err != nil {
		return err
	}
	lists, err := s.st.ListMemberCounts(ctx, ws)
	if err != nil {
		return err
	}
	snap := snapshot{Status: map[string]int64{}, Days: map[string]int64{}, Lists: lists}
	if snap.DNC, _, err = s.countDNC(ctx, ws, dncCounts{}, 0); err != nil {
		return err
	}
	cov := map[[2]string]*CoverageRow{}
	var upto int64
	err = s.st.EachContactFact(ctx, ws, 0, 0, func(c ContactFact) error {
		upto = c.ID
		snap.Status[c.Status]++
		snap.Days[day(c.CreatedAt)]++
		j := s.pol.JurisdictionOf(c.Country, "")
		k := [2]string{c.SourceType, j}
		row := cov[k]
		if row == nil {
			row = &CoverageRow{SourceType: c.SourceType, Jurisdiction: j}
			cov[k] = row
		}
		row.Contacts++
		if covered.has(c.ID) {
			row.Covered++
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("count contacts: %w", err)
	}
	for _, r := range cov {
		snap.Coverage = append(snap.Coverage, *r)
	}
	sortCoverage(snap.Coverage)
	body, err := json.Marshal(snap)
	if err != nil {
		return err
	}
	return s.st.PutReportSnapshot(ctx, ws, Stored{UptoContact: upto, CountedAt: now.UTC(), Body: body})
}

// read returns the stored snapshot (empty when none) with its bounds.
func (s *Service) read(ctx context.Context, ws int64) (snapshot, Stored, error) {
	empty := snapshot{Status: map[string]int64{}, Days: map[string]int64{}}
	st, ok, err := s.st.ReportSnapshot(ctx, ws)
	if err != nil || !ok {
		return empty, Stored{}, err
	}
	snap := empty
	if err := json.Unmarshal(st.Body, &snap); err != nil {
		return snapshot{}, Stored{}, fmt.Errorf("read the report snapshot: %w", err)
	}
	if snap.Status == nil {
		snap.Status = map[string]int64{}
	}
	if snap.Days == nil {
		snap.Days = map[string]int64{}
	}
	return snap, st, nil
}

// day is a time's UTC date.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// WithClock sets the clock that places today in the reports (tests).
func (s *Service) WithClock(now func() time.Time) *Service { s.now = now; return s }
