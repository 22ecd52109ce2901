package consent

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/errs"
)

// Store is what the consent service reads and writes; the store implements it. Each write
// is one transaction with its audit entry.
type Store interface {
	// AppendConsent validates the entry, checks its contact, purpose and source belong to the
	// workspace and links it to the chain's head. An unknown contact gives errs.ErrNotFound,
	// an unknown source ErrUnknownSource, an invalid entry or unknown purpose ErrInvalid.
	AppendConsent(ctx context.Context, e Entry) (Entry, error)
	ConsentsForContact(ctx context.Context, ws, contactID int64) ([]Entry, error)
	// EachConsent calls fn with the workspace's entries in chain order; an error from fn stops it.
	EachConsent(ctx context.Context, ws int64, fn func(Entry) error) error
	Purposes(ctx context.Context, ws int64) ([]Purpose, error)
	// AddPurpose declares a purpose; a name taken gives errs.ErrConflict.
	AddPurpose(ctx context.Context, ws int64, p Purpose) error
	SetLIA(ctx context.Context, l LIA) (LIA, error)
	LIAs(ctx context.Context, ws int64) ([]LIA, error)
	SetLIReason(ctx context.Context, r LIReason) (LIReason, error)
	// ConsentSubject and ConsentSubjectByEmail find the contact an entry is about;
	// errs.ErrNotFound when it is no contact of the workspace.
	ConsentSubject(ctx context.Context, ws, id int64) (Subject, error)
	ConsentSubjectByEmail(ctx context.Context, ws int64, canonical string) (Subject, error)
	WorkspaceIDs(ctx context.Context) ([]int64, error)
}

// ImpliedLapses finds the implied consents (CASL) that have run out: eligibility.Service
// implements it, with the one fact assembly the verdicts use.
type ImpliedLapses interface {
	// LapsedImplied returns the expired entries due at now for one marketing purpose and
	// channel, not yet recorded.
	LapsedImplied(ctx context.Context, ws int64, purpose string, ch Channel, now time.Time) ([]Entry, error)
}

// ErrUnknownSource is wrapped by an append whose source is not one of the workspace's. It
// is errs.ErrNotFound too.
var ErrUnknownSource = fmt.Errorf("no such source in this workspace: %w", errs.ErrNotFound)

// Subject is the contact ledger entries are about, as the consent service names it (the
// contact package depends on the policy, which depends on this one, so Contact cannot be
// used here).
type Subject struct {
	ID        int64  `json:"contact_id"`
	Email     string `json:"email"`           // as given
	Canonical string `json:"email_canonical"` // as compared
}

// Service keeps the consent ledger, the workspace's purposes and the legitimate-interest
// records. It is safe for concurrent use.
type Service struct {
	st     Store
	lapses ImpliedLapses
}

// New returns the service over st; lapses finds lapsed implied consents (nil: LapseImplied
// records none).
func New(st Store, lapses ImpliedLapses) *Service { return &Service{st: st, lapses: lapses} }

// Record appends one entry to the workspace's ledger (one transaction with its audit entry).
// An unknown contact gives errs.ErrNotFound whatever the entry says; then an invalid entry
// or unknown purpose wraps ErrInvalid and an unknown source ErrUnknownSource.
//
// A confirmed entry needs an earlier granted one for its purpose and channel, still in
// force (ErrInvalid otherwise); it inherits that sign-up's pre-ticked flag, since confirming
// a pre-ticked box does not make it consent.
func (s *Service) Record(ctx context.Context, e Entry) (Entry, error) {
	if _, err := s.st.ConsentSubject(ctx, e.WorkspaceID, e.ContactID); err != nil {
		return Entry{}, err
	}
	if err := s.checkConfirmation(ctx, &e); err != nil {
		return Entry{}, err
	}
	return s.st.AppendConsent(ctx, e)
}

// RecordByEmail appends e for the workspace's contact with this canonical address.
func (s *Service) RecordByEmail(ctx context.Context, canonical string, e Entry) (Entry, error) {
	sub, err := s.subjectByEmail(ctx, e.WorkspaceID, canonical)
	if err != nil {
		return Entry{}, err
	}
	e.ContactID = sub.ID
	if err := s.checkConfirmation(ctx, &e); err != nil {
		return Entry{}, err
	}
	return s.st.AppendConsent(ctx, e)
}

// checkConfirmation refuses a confirmed entry without an earlier granted entry for the same
// purpose and channel that is still in force, and carries that sign-up's pre-ticked flag over.
func (s *Service) checkConfirmation(ctx context.Context, e *Entry) error {
	if e.Action != Confirmed {
		return nil
	}
	if err := Validate(*e); err != nil { // what is wrong with the entry itself comes first
		return err
	}
	entries, err := s.st.ConsentsForContact(ctx, e.WorkspaceID, e.ContactID)
	if err != nil {
		return err
	}
	var same []Entry
	var granted *Entry
	for i, x := range entries {
		if x.Key() == e.Key() {
			same = append(same, x)
			if x.Action == Granted {
				granted = &entries[i]
			}
		}
	}
	st := State(same)
	if granted == nil || !st.Active() {
		why := "there is no earlier granted entry"
		if granted != nil {
			why = fmt.Sprintf("the sign-up is %s since entry %d", st.State, st.Entry.ID)
		}
		return fmt.Errorf("%w: a confirmation confirms a sign-up, but for %s by %s %s: record the sign-up first (action granted, with its wording and time), then the confirmation",
			ErrInvalid, e.Purpose, e.Channel, why)
	}
	if granted.Evidence.Prechecked {
		e.Evidence.Prechecked = true
	}
	return nil
}

// subjectByEmail finds the contact, telling a person what to do when there is none.
func (s *Service) subjectByEmail(ctx context.Context, ws int64, canonical string) (Subject, error) {
	sub, err := s.st.ConsentSubjectByEmail(ctx, ws, canonical)
	if errors.Is(err, errs.ErrNotFound) {
		return Subject{}, fmt.Errorf("%w (import or create the contact first)", err)
	}
	return sub, err
}

// KeyStatus is where one purpose × channel of a contact stands.
type KeyStatus struct {
	Key
	Status
}

// History is a contact's ledger: its entries in chain order and where each purpose ×
// channel they mention stands, by purpose then channel.
type History struct {
	Subject Subject
	Entries []Entry // never nil
	States  []KeyStatus
}

// History returns the ledger of the workspace's contact id; errs.ErrNotFound when there
// is no such contact.
func (s *Service) History(ctx context.Context, ws, id int64) (History, error) {
	sub, err := s.st.ConsentSubject(ctx, ws, id)
	if err != nil {
		return History{}, err
	}
	return s.history(ctx, ws, sub)
}

// HistoryByEmail returns the ledger of the workspace's contact with this canonical address.
func (s *Service) HistoryByEmail(ctx context.Context, ws int64, canonical string) (History, error) {
	sub, err := s.subjectByEmail(ctx, ws, canonical)
	if err != nil {
		return History{}, err
	}
	return s.history(ctx, ws, sub)
}

func (s *Service) history(ctx context.Context, ws int64, sub Subject) (History, error) {
	entries, err := s.st.ConsentsForContact(ctx, ws, sub.ID)
	if err != nil {
		return History{}, err
	}
	h := History{Subject: sub, Entries: entries, States: []KeyStatus{}}
	if h.Entries == nil {
		h.Entries = []Entry{}
	}
	for k, st := range States(entries) {
		h.States = append(h.States, KeyStatus{Key: k, Status: st})
	}
	slices.SortFunc(h.States, func(a, b KeyStatus) int {
		return cmp.Or(strings.Compare(a.Purpose, b.Purpose), strings.Compare(string(a.Channel), string(b.Channel)))
	})
	return h, nil
}

// Each calls fn with every entry of the workspace's ledger in chain order (an export); an
// error from fn stops it and is returned.
func (s *Service) Each(ctx context.Context, ws int64, fn func(Entry) error) error {
	return s.st.EachConsent(ctx, ws, fn)
}

// Purposes lists the workspace's purposes.
func (s *Service) Purposes(ctx context.Context, ws int64) ([]Purpose, error) {
	return s.st.Purposes(ctx, ws)
}

// AddPurpose declares a purpose consent can be given for. An invalid name wraps ErrInvalid;
// a name taken gives errs.ErrConflict.
func (s *Service) AddPurpose(ctx context.Context, ws int64, p Purpose) error {
	if err := ValidatePurpose(p); err != nil {
		return err
	}
	return s.st.AddPurpose(ctx, ws, p)
}
