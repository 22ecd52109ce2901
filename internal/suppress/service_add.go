package suppress

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// reasonIntake is the channel a request of each reason came in by, when the caller does not say.
var reasonIntake = map[Reason]string{
	ReasonUnsubscribe: InEmail, ReasonComplaint: InBounce,
	ReasonHardBounce: InBounce, ReasonRequestPhone: InPhone,
	ReasonRequestEmail: InEmail, ReasonRequestWeb: InWeb,
	ReasonRequestLetter: InLetter, ReasonRequestInPerson: InInPerson,
	ReasonErasure: InOperator, ReasonNationalRegistry: InRegistry,
	ReasonCRM: InCRM, ReasonManual: InOperator,
}

// PrepareSuppression validates a request and turns it into the entry to store for the
// workspace (InstanceWorkspace for the instance-wide list): canonical value, keyed hash,
// scope, reason, intake channel and deadline. Every error wraps ErrInvalid and says what to
// fix; nothing is stored.
func (s *Service) PrepareSuppression(ctx context.Context, ws int64, req Intake, now time.Time) (Suppression, error) {
	rules, err := s.deadlineRules(ctx, ws)
	if err != nil {
		return Suppression{}, err
	}
	return s.prepare(ctx, ws, req, now, rules)
}

// prepare is PrepareSuppression with the workspace's deadline rules read already (file
// imports read them once).
func (s *Service) prepare(ctx context.Context, ws int64, req Intake, now time.Time, rules *Rules) (Suppression, error) {
	kind, err := kindOf(req.Kind, req.Value)
	if err != nil {
		return Suppression{}, err
	}
	scope, err := ParseScope(req.Scope)
	if err != nil {
		return Suppression{}, err
	}
	reason, err := ParseReason(req.Reason)
	if err != nil {
		return Suppression{}, err
	}
	in := reasonIntake[reason]
	if req.ChannelIn != "" {
		if in, err = ParseIntake(req.ChannelIn); err != nil {
			return Suppression{}, err
		}
	}
	by := strings.TrimSpace(req.By)
	if by == "" {
		return Suppression{}, fmt.Errorf("%w: say who records the request (recorded_by)", ErrInvalid)
	}
	for name, v := range map[string]string{"recorded_by": by, "note": req.Note} {
		if strings.ContainsFunc(v, unicode.IsControl) || len(v) > 1000 {
			return Suppression{}, fmt.Errorf("%w: %s holds a line break or control character, or is over 1,000 bytes: give one line of text", ErrInvalid, name)
		}
	}
	l, err := s.list(ctx, ws)
	if err != nil {
		return Suppression{}, err
	}
	e, err := NewEntry(l.keyer, kind, req.Value, s.opts)
	if err != nil {
		return Suppression{}, err
	}
	e.Scope, e.Reason, e.ChannelIn, e.RecordedBy = scope, reason, in, by
	if err := e.Validate(); err != nil {
		return Suppression{}, err
	}
	received := req.ReceivedAt
	switch {
	case received.IsZero():
		received = now
	case received.After(now.Add(5 * time.Minute)):
		return Suppression{}, fmt.Errorf("%w: received_at %s is in the future; give the time the person asked", ErrInvalid, received.Format(time.RFC3339))
	}
	country := strings.ToUpper(strings.TrimSpace(req.Country))
	if country == "" && kind == KindPhone {
		if num, err := phonenumbers.Parse(e.Value, ""); err == nil {
			country = phonenumbers.GetRegionCodeForNumber(num)
		}
	}
	deadline, rule := rules.Deadline(received, deadlineChannel(kind, scope), country)
	return Suppression{Kind: string(kind), Value: e.Value, Hash: e.Hash[:], ScopeChannel: scope.Channel,
		ScopePurpose: scope.Purpose, Reason: string(reason), ChannelIn: in, RecordedBy: by, Note: strings.TrimSpace(req.Note),
		ReceivedAt: received, Deadline: deadline, DeadlineRule: string(rule)}, nil
}

// deadlineChannel is the channel whose deadline binds an entry: its scope's, else e-mail for
// addresses and domains; a phone entry for every channel gets the earliest of them.
func deadlineChannel(kind Kind, scope Scope) string {
	switch {
	case scope.Channel != "":
		return scope.Channel
	case kind == KindPhone:
		return ""
	}
	return ChannelEmail
}

// RecordSuppressions stores prepared entries (one transaction) and applies them to this
// process's screening index at once. audit, when set, is the one audit line of a bulk add.
func (s *Service) RecordSuppressions(ctx context.Context, ws int64, entries []Suppression, audit string) ([]Suppression, int, error) {
	added, dups, err := s.st.AddSuppressions(ctx, ws, entries, audit)
	if err != nil {
		return nil, 0, err
	}
	if err := s.applyOwn(ctx, ws, added); err != nil {
		return added, dups, err
	}
	return added, dups, nil
}

// Suppress prepares and records requests, all or none: the first invalid one is returned
// as an error naming its position.
func (s *Service) Suppress(ctx context.Context, ws int64, reqs []Intake) ([]Suppression, int, error) {
	now := time.Now().UTC()
	rules, err := s.deadlineRules(ctx, ws)
	if err != nil {
		return nil, 0, err
	}
	entries := make([]Suppression, 0, len(reqs))
	for i, r := range reqs {
		e, err := s.prepare(ctx, ws, r, now, rules)
		if err != nil {
			if len(reqs) > 1 {
				return nil, 0, fmt.Errorf("request %d (%q): %w", i+1, r.Value, err)
			}
			return nil, 0, err
		}
		entries = append(entries, e)
	}
	return s.RecordSuppressions(ctx, ws, entries, "")
}
