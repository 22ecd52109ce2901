package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
)

// Unsuppress removes an entry with a reason, as role (a store.Role*). An entry recording what
// the person asked for (suppress.Reason.PersonOriginated: unsubscribe, complaint, a request by
// any channel, erasure) is removed only by a role that may overrule a person
// (store.MayOverrulePerson); others get store.ErrProtectedSuppression. An agent removes nothing.
func (a *App) Unsuppress(ctx context.Context, ws, id int64, by, why, role string) (store.Suppression, error) {
	if strings.TrimSpace(why) == "" {
		return store.Suppression{}, fmt.Errorf("%w: removing an entry needs a reason (it is kept in the audit trail)", suppress.ErrInvalid)
	}
	if strings.TrimSpace(by) == "" {
		return store.Suppression{}, fmt.Errorf("%w: say who removes the entry", suppress.ErrInvalid)
	}
	allowed := func(reason string) bool {
		if store.MayOverrulePerson(role) {
			return true
		}
		return role == store.RoleMarketer && !suppress.Reason(reason).PersonOriginated()
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

// SuppressionsFor returns the active entries of the workspace's list (and the instance's)
// that concern an identifier — for an address, those of its domain too — for explaining a
// "do not contact" answer: which request, when, by which channel.
func (a *App) SuppressionsFor(ctx context.Context, ws int64, kind, value string) ([]store.Suppression, error) {
	k := GuessKind(value)
	if kind != "" {
		var err error
		if k, err = suppress.ParseKind(kind); err != nil {
			return nil, err
		}
	}
	opts := a.suppressOptions()
	c, err := suppress.Canonical(k, value, opts)
	if err != nil {
		return nil, err
	}
	var out []store.Suppression
	for _, list := range []int64{ws, store.InstanceWorkspace} {
		l, err := a.list(ctx, list)
		if err != nil {
			return nil, err
		}
		hashes := []suppress.Kind{k}
		if k == suppress.KindEmail {
			hashes = append(hashes, suppress.KindDomain)
		}
		for _, hk := range hashes {
			v := c
			if hk == suppress.KindDomain && k == suppress.KindEmail {
				v = suppress.EmailDomain(c)
			}
			h := l.keyer.Hash(hk, v)
			es, err := a.Store.Suppressions(ctx, list, store.SuppressionFilter{Hash: h[:]})
			if err != nil {
				return nil, err
			}
			out = append(out, es...)
		}
	}
	return out, nil
}
