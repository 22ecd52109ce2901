package consent

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// LIA is a legitimate-interest assessment: why a workspace pursues a purpose without
// consent, why contacting people is necessary for it, how their interests were weighed, and
// who approved it when.
type LIA struct {
	WorkspaceID int64     `json:"-"`
	Purpose     string    `json:"purpose"`
	PurposeText string    `json:"purpose_text"`
	Necessity   string    `json:"necessity"`
	Balancing   string    `json:"balancing"`
	ApprovedBy  string    `json:"approved_by"`
	ApprovedAt  time.Time `json:"approved_at"`
	CreatedAt   time.Time `json:"created_at"`
}

// Approved reports whether someone approved the assessment.
func (l LIA) Approved() bool { return l.ApprovedBy != "" && !l.ApprovedAt.IsZero() }

// LIReason is the per-contact reason legitimate interest needs: why this person is the right
// one to contact for the purpose.
type LIReason struct {
	WorkspaceID int64     `json:"-"`
	ContactID   int64     `json:"contact_id"`
	Purpose     string    `json:"purpose"`
	Reason      string    `json:"reason"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// ErrInvalidLI is wrapped by the errors of ValidateLIA and ValidateLIReason for input to fix.
var ErrInvalidLI = errors.New("invalid legitimate-interest record")

// ValidateLIA checks that every part of an assessment is written down.
func ValidateLIA(l LIA) error {
	for _, f := range []struct{ name, v string }{{"purpose text", l.PurposeText}, {"necessity", l.Necessity},
		{"balancing", l.Balancing}, {"approved by", l.ApprovedBy}} {
		if strings.TrimSpace(f.v) == "" {
			return fmt.Errorf("%w: %s is empty: every part of the assessment must be written down", ErrInvalidLI, f.name)
		}
	}
	return nil
}

// ValidateLIReason checks that a reason says something.
func ValidateLIReason(r LIReason) error {
	if strings.TrimSpace(r.Reason) == "" {
		return fmt.Errorf("%w: the reason is empty: say why this person is the right one to contact", ErrInvalidLI)
	}
	return nil
}

// SetLIA records (or replaces) the workspace's assessment for a purpose; ApprovedAt zero
// means now. Missing parts wrap ErrInvalidLI, an unknown purpose ErrInvalid.
func (s *Service) SetLIA(ctx context.Context, l LIA) (LIA, error) {
	if err := ValidateLIA(l); err != nil {
		return LIA{}, err
	}
	return s.st.SetLIA(ctx, l)
}

// LIAs lists the workspace's assessments by purpose (never nil).
func (s *Service) LIAs(ctx context.Context, ws int64) ([]LIA, error) {
	ls, err := s.st.LIAs(ctx, ws)
	if ls == nil && err == nil {
		ls = []LIA{}
	}
	return ls, err
}

// SetLIReasonByEmail records (or replaces) why the workspace's contact with this canonical
// address is the right person to contact for r's purpose; it returns the contact too.
func (s *Service) SetLIReasonByEmail(ctx context.Context, canonical string, r LIReason) (LIReason, Subject, error) {
	if err := ValidateLIReason(r); err != nil {
		return LIReason{}, Subject{}, err
	}
	sub, err := s.subjectByEmail(ctx, r.WorkspaceID, canonical)
	if err != nil {
		return LIReason{}, Subject{}, err
	}
	r.ContactID = sub.ID
	r, err = s.st.SetLIReason(ctx, r)
	return r, sub, err
}
