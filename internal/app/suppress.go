package app

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// SuppressRequest is one do-not-contact request as a person, a user or a system makes it.
type SuppressRequest = suppress.Intake

// reasonIntake is the channel a request of each reason came in by, when the caller does not say.
var reasonIntake = map[suppress.Reason]string{
	suppress.ReasonUnsubscribe: suppress.InEmail, suppress.ReasonComplaint: suppress.InBounce,
	suppress.ReasonHardBounce: suppress.InBounce, suppress.ReasonRequestPhone: suppress.InPhone,
	suppress.ReasonRequestEmail: suppress.InEmail, suppress.ReasonRequestWeb: suppress.InWeb,
	suppress.ReasonRequestLetter: suppress.InLetter, suppress.ReasonRequestInPerson: suppress.InInPerson,
	suppress.ReasonErasure: suppress.InOperator, suppress.ReasonNationalRegistry: suppress.InRegistry,
	suppress.ReasonCRM: suppress.InCRM, suppress.ReasonManual: suppress.InOperator,
}

// GuessKind says what an identifier is when the caller did not: an address has an @, a
// number has digits and phone punctuation only, anything else is a domain.
func GuessKind(value string) suppress.Kind {
	v := strings.TrimSpace(value)
	if strings.Contains(v, "@") {
		return suppress.KindEmail
	}
	digits := 0
	for _, r := range strings.TrimPrefix(v, "tel:") {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-.() /", r):
		default:
			return suppress.KindDomain
		}
	}
	if digits == 0 {
		return suppress.KindDomain
	}
	return suppress.KindPhone
}

// PrepareSuppression validates a request and turns it into the entry to store for the
// workspace (store.InstanceWorkspace for the instance-wide list): canonical value, keyed
// hash, scope, reason, intake channel and deadline. Every error wraps suppress.ErrInvalid
// and says what to fix; nothing is stored.
func (a *App) PrepareSuppression(ctx context.Context, ws int64, req SuppressRequest, now time.Time) (store.Suppression, error) {
	rules, err := a.deadlineRules(ctx, ws)
	if err != nil {
		return store.Suppression{}, err
	}
	return a.prepareSuppression(ctx, ws, req, now, rules)
}

// prepareSuppression is PrepareSuppression with the workspace's deadline rules read already
// (file imports read them once).
func (a *App) prepareSuppression(ctx context.Context, ws int64, req SuppressRequest, now time.Time, rules *suppress.Rules) (store.Suppression, error) {
	kind := GuessKind(req.Value)
	if req.Kind != "" {
		k, err := suppress.ParseKind(req.Kind)
		if err != nil {
			return store.Suppression{}, err
		}
		kind = k
	}
	scope, err := suppress.ParseScope(req.Scope)
	if err != nil {
		return store.Suppression{}, err
	}
	reason, err := suppress.ParseReason(req.Reason)
	if err != nil {
		return store.Suppression{}, err
	}
	in := reasonIntake[reason]
	if req.ChannelIn != "" {
		if in, err = suppress.ParseIntake(req.ChannelIn); err != nil {
			return store.Suppression{}, err
		}
	}
	by := strings.TrimSpace(req.By)
	if by == "" {
		return store.Suppression{}, fmt.Errorf("%w: say who records the request (recorded_by)", suppress.ErrInvalid)
	}
	for name, v := range map[string]string{"recorded_by": by, "note": req.Note} {
		if strings.ContainsFunc(v, unicode.IsControl) || len(v) > 1000 {
			return store.Suppression{}, fmt.Errorf("%w: %s holds a line break or control character, or is over 1,000 bytes: give one line of text", suppress.ErrInvalid, name)
		}
	}
	l, err := a.list(ctx, ws)
	if err != nil {
		return store.Suppression{}, err
	}
	e, err := suppress.NewEntry(l.keyer, kind, req.Value, a.suppressOptions())
	if err != nil {
		return store.Suppression{}, err
	}
	e.Scope, e.Reason, e.ChannelIn, e.RecordedBy = scope, reason, in, by
	if err := e.Validate(); err != nil {
		return store.Suppression{}, err
	}
	received := req.ReceivedAt
	switch {
	case received.IsZero():
		received = now
	case received.After(now.Add(5 * time.Minute)):
		return store.Suppression{}, fmt.Errorf("%w: received_at %s is in the future; give the time the person asked", suppress.ErrInvalid, received.Format(time.RFC3339))
	}
	country := strings.ToUpper(strings.TrimSpace(req.Country))
	if country == "" && kind == suppress.KindPhone {
		if num, err := phonenumbers.Parse(e.Value, ""); err == nil {
			country = phonenumbers.GetRegionCodeForNumber(num)
		}
	}
	deadline, rule := rules.Deadline(received, deadlineChannel(kind, scope), country)
	return store.Suppression{Kind: string(kind), Value: e.Value, Hash: e.Hash[:], ScopeChannel: scope.Channel,
		ScopePurpose: scope.Purpose, Reason: string(reason), ChannelIn: in, RecordedBy: by, Note: strings.TrimSpace(req.Note),
		ReceivedAt: received, Deadline: deadline, DeadlineRule: string(rule)}, nil
}

// deadlineChannel is the channel whose deadline binds an entry: its scope's, else e-mail for
// addresses and domains; a phone entry for every channel gets the earliest of them.
func deadlineChannel(kind suppress.Kind, scope suppress.Scope) string {
	switch {
	case scope.Channel != "":
		return scope.Channel
	case kind == suppress.KindPhone:
		return ""
	}
	return suppress.ChannelEmail
}

// RecordSuppressions stores prepared entries (one transaction) and applies them to this
// process's screening index at once. audit, when set, is the one audit line of a bulk add.
func (a *App) RecordSuppressions(ctx context.Context, ws int64, entries []store.Suppression, audit string) ([]store.Suppression, int, error) {
	added, dups, err := a.Store.AddSuppressions(ctx, ws, entries, audit)
	if err != nil {
		return nil, 0, err
	}
	if err := a.applyOwn(ctx, ws, added); err != nil {
		return added, dups, err
	}
	return added, dups, nil
}

// Suppress prepares and records requests, all or none: the first invalid one is returned
// as an error naming its position.
func (a *App) Suppress(ctx context.Context, ws int64, reqs []SuppressRequest) ([]store.Suppression, int, error) {
	now := time.Now().UTC()
	rules, err := a.deadlineRules(ctx, ws)
	if err != nil {
		return nil, 0, err
	}
	entries := make([]store.Suppression, 0, len(reqs))
	for i, r := range reqs {
		e, err := a.prepareSuppression(ctx, ws, r, now, rules)
		if err != nil {
			if len(reqs) > 1 {
				return nil, 0, fmt.Errorf("request %d (%q): %w", i+1, r.Value, err)
			}
			return nil, 0, err
		}
		entries = append(entries, e)
	}
	return a.RecordSuppressions(ctx, ws, entries, "")
}
