package unsub

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/track"
)

// PurposeChoice is one of the workspace's marketing purposes on the preferences page.
type PurposeChoice struct {
	Name        string
	Description string // as the workspace wrote it
	Done        bool   // the person's own request on file stops it already
}

// ErrPurpose is returned for a choice of a purpose the workspace does not mail for.
var ErrPurpose = errors.New("choose among the purposes the page shows")

// choices lists the workspace's marketing purposes for the address, each with whether the
// person's own requests on file already stop it.
func (s *Service) choices(ctx context.Context, ws int64, on []suppress.Suppression) ([]PurposeChoice, error) {
	ps, err := s.st.Purposes(ctx, ws)
	if err != nil {
		return nil, err
	}
	var out []PurposeChoice
	for _, p := range ps {
		if p.Marketing {
			out = append(out, PurposeChoice{Name: p.Name, Description: p.Description,
				Done: coveredBy(on, suppress.Scope{Purpose: p.Name})})
		}
	}
	return out, nil
}

// Choose records the preferences page's choice: the address the link is for stops
// receiving each of the named purposes (marketing purposes of the workspace), reason
// unsubscribe, with the visitor's IP and user agent as evidence — one transaction for all of
// them with their audit entries, in this process's screening index before it returns. What
// is already on file is not recorded again. A bad link is ErrLinkInvalid, a purpose the
// workspace does not mail for ErrPurpose; neither records anything.
func (s *Service) Choose(ctx context.Context, token string, purposes []string, ip, userAgent string) (Result, error) {
	tg, err := s.open(ctx, token)
	if err != nil {
		return Result{}, err
	}
	ws := tg.tok.Workspace
	ps, err := s.st.Purposes(ctx, ws)
	if err != nil {
		return Result{}, fmt.Errorf("preferences: %w", err)
	}
	chosen := slices.Clone(purposes)
	slices.Sort(chosen)
	chosen = slices.Compact(chosen)
	if len(chosen) == 0 {
		return Result{}, ErrPurpose
	}
	for _, name := range chosen {
		if !slices.ContainsFunc(ps, func(p consent.Purpose) bool { return p.Marketing && p.Name == name }) {
			return Result{}, ErrPurpose
		}
	}
	res := Result{Address: Mask(tg.address), Purposes: chosen}
	if tg.address == "" {
		return res, nil
	}
	on, err := s.dnc.SuppressionsFor(ctx, ws, string(suppress.KindEmail), tg.address)
	if err != nil {
		return Result{}, fmt.Errorf("preferences: %w", err)
	}
	var in []suppress.Intake
	for _, name := range chosen {
		if !onFile(on, ws, suppress.Scope{Purpose: name}) {
			in = append(in, suppress.Intake{Kind: string(suppress.KindEmail), Value: tg.address,
				Scope: suppress.Scope{Purpose: name}.String(), Reason: string(suppress.ReasonUnsubscribe), ChannelIn: suppress.InWeb,
				By: RecordedBy, Note: evidence(tg.tok, suppress.InWeb, ip, userAgent) + "; preferences page"})
		}
	}
	if len(in) == 0 {
		return res, nil
	}
	a := audit.ActorFrom(ctx)
	if a.Kind == audit.Public && a.Name == "" {
		a.Name = "unsubscribe"
		ctx = audit.WithActor(ctx, a)
	}
	added, _, err := s.dnc.Suppress(ctx, ws, in)
	if err != nil {
		return Result{}, fmt.Errorf("preferences: %w", err)
	}
	res.Recorded = len(added) > 0
	if res.Recorded && s.events != nil && tg.tok.Campaign != 0 {
		_ = s.events.RecordEvent(ctx, track.Event{Workspace: ws, Campaign: tg.tok.Campaign, Contact: tg.tok.Contact,
			Kind: track.EventUnsubscribed, At: time.Now().UTC()})
	}
	return res, nil
}

// onFile reports whether the same unsubscribe request (this scope, from a link) is on file.
func onFile(on []suppress.Suppression, ws int64, scope suppress.Scope) bool {
	for _, e := range on {
		if e.WorkspaceID == ws && e.Kind == string(suppress.KindEmail) && e.Reason == string(suppress.ReasonUnsubscribe) &&
			e.ScopeChannel == scope.Channel && e.ScopePurpose == scope.Purpose {
			return true
		}
	}
	return false
}
