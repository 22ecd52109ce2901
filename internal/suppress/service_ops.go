package suppress

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/access"
)

// Unsuppress removes an entry with a reason, as role (an access.Role*). An entry recording
// what the person asked for (Reason.PersonOriginated: unsubscribe, complaint, a request by
// any channel, erasure) is removed only by a role that may overrule a person
// (access.MayOverrulePerson); others get ErrProtected. An agent removes nothing.
func (s *Service) Unsuppress(ctx context.Context, ws, id int64, by, why, role string) (Suppression, error) {
	if strings.TrimSpace(why) == "" {
		return Suppression{}, fmt.Errorf("%w: removing an entry needs a reason (it is kept in the audit trail)", ErrInvalid)
	}
	if strings.TrimSpace(by) == "" {
		return Suppression{}, fmt.Errorf("%w: say who removes the entry", ErrInvalid)
	}
	allowed := func(reason string) bool {
		if access.MayOverrulePerson(role) {
			return true
		}
		return role == access.RoleMarketer && !Reason(reason).PersonOriginated()
	}
	e, err := s.st.RemoveSuppression(ctx, ws, id, by, strings.TrimSpace(why), allowed)
	if err != nil {
		return Suppression{}, err
	}
	return e, s.syncList(ctx, ws)
}

// CheckSuppressed screens one identifier against the workspace's and the instance's lists,
// as this process's index has them. kind "" guesses it.
func (s *Service) CheckSuppressed(ctx context.Context, ws int64, kind, value, channel, purpose string) (CheckAnswer, error) {
	k, err := kindOf(kind, value)
	if err != nil {
		return CheckAnswer{}, err
	}
	if channel != "" {
		if sc, err := ParseScope(channel); err != nil || sc.Channel == "" || sc.Purpose != "" {
			return CheckAnswer{}, fmt.Errorf("%w: unknown channel %q: use email, phone or sms", ErrInvalid, channel)
		}
	}
	scr, err := s.Screen(ctx, ws, false)
	if err != nil {
		return CheckAnswer{}, err
	}
	c, err := Canonical(k, value, scr.Options)
	if err != nil {
		return CheckAnswer{}, err
	}
	m, blocked := scr.CheckCanonical(k, c, channel, purpose)
	ans := CheckAnswer{Identifier: c, Kind: string(k), Channel: channel, Purpose: purpose, Contactable: !blocked}
	if blocked {
		ans.MatchedKind, ans.Scope, ans.Instance = string(m.Kind), m.Scope.String(), m.Instance
	}
	return ans, nil
}

// LiftCRMFlag removes the workspace's active entries with reason crm for an identifier (a
// flag cleared in a connected CRM), leaving entries of every other reason in force. It
// returns how many it removed.
func (s *Service) LiftCRMFlag(ctx context.Context, ws int64, kind, value, by string) (int, error) {
	k, err := kindOf(kind, value)
	if err != nil {
		return 0, err
	}
	l, err := s.list(ctx, ws)
	if err != nil {
		return 0, err
	}
	e, err := NewEntry(l.keyer, k, value, s.opts)
	if err != nil {
		return 0, err
	}
	n, err := s.st.RemoveSuppressionsByHash(ctx, ws, [][]byte{e.Hash[:]}, string(ReasonCRM), by, "flag cleared in the CRM")
	if err != nil || n == 0 {
		return n, err
	}
	return n, s.syncList(ctx, ws)
}

// EraseIdentifier is the do-not-contact side of an erasure request: the identifier gets an
// erasure entry for every channel (so the person is never contacted again) and every entry
// for it keeps only its hash, in one transaction. It returns how many entries lost their
// clear value.
func (s *Service) EraseIdentifier(ctx context.Context, ws int64, kind, value, by string) (int, error) {
	req := Intake{Kind: kind, Value: value, Reason: string(ReasonErasure), By: by}
	e, err := s.PrepareSuppression(ctx, ws, req, time.Now().UTC())
	if err != nil {
		return 0, err
	}
	added, n, err := s.st.EraseSuppression(ctx, ws, e, by)
	if err != nil {
		return 0, err
	}
	return n, s.applyOwn(ctx, ws, added)
}

// SuppressionsFor returns the active entries of the workspace's list (and the instance's)
// that concern an identifier — for an address, those of its domain too — for explaining a
// "do not contact" answer: which request, when, by which channel.
func (s *Service) SuppressionsFor(ctx context.Context, ws int64, kind, value string) ([]Suppression, error) {
	k, err := kindOf(kind, value)
	if err != nil {
		return nil, err
	}
	c, err := Canonical(k, value, s.opts)
	if err != nil {
		return nil, err
	}
	var out []Suppression
	for _, list := range []int64{ws, InstanceWorkspace} {
		l, err := s.list(ctx, list)
		if err != nil {
			return nil, err
		}
		hashes := []Kind{k}
		if k == KindEmail {
			hashes = append(hashes, KindDomain)
		}
		for _, hk := range hashes {
			v := c
			if hk == KindDomain && k == KindEmail {
				v = EmailDomain(c)
			}
			h := l.keyer.Hash(hk, v)
			es, err := s.st.Suppressions(ctx, list, Filter{Hash: h[:]})
			if err != nil {
				return nil, err
			}
			out = append(out, es...)
		}
	}
	return out, nil
}

// Entries returns the workspace's entries that match f, in id order.
func (s *Service) Entries(ctx context.Context, ws int64, f Filter) ([]Suppression, error) {
	return s.st.Suppressions(ctx, ws, f)
}

// EachEntry streams the workspace's entries that match f, in id order.
func (s *Service) EachEntry(ctx context.Context, ws int64, f Filter, fn func(Suppression) error) error {
	return s.st.EachSuppression(ctx, ws, f, fn)
}

// AuditLines returns the lines of the list's audit trail after id afterID, oldest first.
func (s *Service) AuditLines(ctx context.Context, ws, afterID int64, limit int) ([]AuditLine, error) {
	return s.st.SuppressionAudit(ctx, ws, afterID, limit)
}
