package app

import (
	"context"
	"fmt"
	"strings"
	"time"

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

// ProtectedReasons are the reasons a marketer may not lift: the person's own words.
var ProtectedReasons = []string{string(suppress.ReasonUnsubscribe), string(suppress.ReasonComplaint)}

// Unsuppress removes an entry with a reason, as role (a store.Role*); a marketer cannot remove
// an unsubscribe or a complaint (store.ErrProtectedSuppression).
func (a *App) Unsuppress(ctx context.Context, ws, id int64, by, why, role string) (store.Suppression, error) {
	if strings.TrimSpace(why) == "" {
		return store.Suppression{}, fmt.Errorf("%w: removing an entry needs a reason (it is kept in the audit trail)", suppress.ErrInvalid)
	}
	if strings.TrimSpace(by) == "" {
		return store.Suppression{}, fmt.Errorf("%w: say who removes the entry", suppress.ErrInvalid)
	}
	allowed := func(reason string) bool {
		switch role {
		case store.RoleAdmin, store.RoleCompliance:
			return true
		case store.RoleMarketer:
			for _, p := range ProtectedReasons {
				if reason == p {
					return false
				}
			}
			return true
		}
		return false
	}
	e, err := a.Store.RemoveSuppression(ctx, ws, id, by, strings.TrimSpace(why), allowed)
	if err != nil {
		return store.Suppression{}, err
	}
	return e, a.syncList(ctx, ws)
}

// CheckAnswer is the answer of CheckSuppressed.
type CheckAnswer = suppress.CheckAnswer

// CheckSuppressed screens one identifier against the workspace's and the instance's lists,
// as this process's index has them. kind "" guesses it.
func (a *App) CheckSuppressed(ctx context.Context, ws int64, kind, value, channel, purpose string) (CheckAnswer, error) {
	k := GuessKind(value)
	if kind != "" {
		var err error
		if k, err = suppress.ParseKind(kind); err != nil {
			return CheckAnswer{}, err
		}
	}
	if channel != "" {
		if sc, err := suppress.ParseScope(channel); err != nil || sc.Channel == "" || sc.Purpose != "" {
			return CheckAnswer{}, fmt.Errorf("%w: unknown channel %q: use email, phone or sms", suppress.ErrInvalid, channel)
		}
	}
	s, err := a.Screen(ctx, ws, false)
	if err != nil {
		return CheckAnswer{}, err
	}
	c, err := suppress.Canonical(k, value, s.Options)
	if err != nil {
		return CheckAnswer{}, err
	}
	m, blocked := s.CheckCanonical(k, c, channel, purpose)
	ans := CheckAnswer{Identifier: c, Kind: string(k), Channel: channel, Purpose: purpose, Contactable: !blocked}
	if blocked {
		ans.MatchedKind, ans.Scope, ans.Instance = string(m.Kind), m.Scope.String(), m.Instance
	}
	return ans, nil
}

// LiftCRMFlag removes the workspace's active entries with reason crm for an identifier (a
// flag cleared in a connected CRM), leaving entries of every other reason in force. It
// returns how many it removed.
func (a *App) LiftCRMFlag(ctx context.Context, ws int64, kind, value, by string) (int, error) {
	k := GuessKind(value)
	if kind != "" {
		var err error
		if k, err = suppress.ParseKind(kind); err != nil {
			return 0, err
		}
	}
	l, err := a.list(ctx, ws)
	if err != nil {
		return 0, err
	}
	e, err := suppress.NewEntry(l.keyer, k, value, a.suppressOptions())
	if err != nil {
		return 0, err
	}
	n, err := a.Store.RemoveSuppressionsByHash(ctx, ws, [][]byte{e.Hash[:]}, string(suppress.ReasonCRM), by, "flag cleared in the CRM")
	if err != nil || n == 0 {
		return n, err
	}
	return n, a.syncList(ctx, ws)
}

// PublicStop records a request from the public "stop contacting me" form of the named
// workspace: the identifier is suppressed for every channel and purpose at once, with the
// form's IP and user agent as evidence. An unknown workspace gives store.ErrNotFound (the
// form does not create workspaces).
func (a *App) PublicStop(ctx context.Context, workspace, value, ip, userAgent string) error {
	w, err := a.Store.WorkspaceByName(ctx, workspace)
	if err != nil {
		return err
	}
	note := "public form; IP " + ip
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	if userAgent != "" {
		note += "; user agent " + userAgent
	}
	_, _, err = a.Suppress(ctx, w.ID, []SuppressRequest{{Value: value, Reason: string(suppress.ReasonRequestWeb),
		ChannelIn: suppress.InWeb, By: "public-form", Note: note}})
	return err
}

// EraseIdentifier is the do-not-contact side of an erasure request: the identifier gets an
// erasure entry for every channel (so the person is never contacted again) and every entry
// for it keeps only its hash. It returns how many entries lost their clear value.
func (a *App) EraseIdentifier(ctx context.Context, ws int64, kind, value, by string) (int, error) {
	req := SuppressRequest{Kind: kind, Value: value, Reason: string(suppress.ReasonErasure), By: by}
	e, err := a.PrepareSuppression(ctx, ws, req, time.Now().UTC())
	if err != nil {
		return 0, err
	}
	if _, _, err := a.RecordSuppressions(ctx, ws, []store.Suppression{e}, ""); err != nil {
		return 0, err
	}
	return a.Store.EraseSuppressionValues(ctx, ws, e.Hash, by)
}
