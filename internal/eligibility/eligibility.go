// Package eligibility says whether a workspace's contacts may be contacted for a purpose on
// a channel, and why: it assembles the policy's facts from what the store holds (one
// contact, or a whole list as a campaign reads it), screens them against the do-not-contact
// list and runs the one policy evaluation. CLI, API and jobs all ask the Service.
package eligibility

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/errs"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/suppress"
)

// SettingExcludeRisky is the workspace setting that, when "true", keeps risky addresses out
// of campaigns (policy rule vfy-02).
const SettingExcludeRisky = "verify.exclude_risky"

// Store is what the service reads; the store implements it.
type Store interface {
	// EligibilityOf reads one contact (by canonical address) with its latest ledger entry
	// for the purpose and channel; errs.ErrNotFound when it is no contact of the workspace.
	EligibilityOf(ctx context.Context, ws int64, canonical, purpose, channel string) (Row, error)
	// EachEligibility streams the selected contacts in id order.
	EachEligibility(ctx context.Context, ws int64, q Query, fn func(*Row) error) error
	AllSources(ctx context.Context, ws int64) (map[int64]contact.Source, error)
	Source(ctx context.Context, ws, id int64) (contact.Source, error)
	Purposes(ctx context.Context, ws int64) ([]consent.Purpose, error)
	// LIAFor is the workspace's assessment for a purpose; errs.ErrNotFound when none.
	LIAFor(ctx context.Context, ws int64, purpose string) (consent.LIA, error)
}

// Settings reads the workspace settings the evaluation depends on; workspace.Service, which
// owns the settings and their checks, implements it.
type Settings interface {
	// SettingBool reads a true/false setting (unset is false).
	SettingBool(ctx context.Context, ws int64, name string) (bool, error)
}

// Screener gives the workspace's do-not-contact screen (its own list and the instance's).
// fresh asks for the list as the store has it now (batches); otherwise the index kept
// current by this process will do (single answers).
type Screener interface {
	Screen(ctx context.Context, ws int64, fresh bool) (*suppress.Screen, error)
}

// Service answers eligibility questions. It is safe for concurrent use.
type Service struct {
	store    Store
	screens  Screener
	settings Settings
	now      func() time.Time
	cache    cache
}

// New returns the service reading st, screening through scr and reading the workspace's
// settings through set.
func New(st Store, scr Screener, set Settings) *Service {
	return &Service{store: st, screens: scr, settings: set, now: time.Now}
}

// Eligibility is the answer of Service.Eligibility: the policy's verdict flattened for JSON.
type Eligibility = policy.Eligibility

// Eligibility says whether the workspace's contact with this e-mail address may be contacted
// for the purpose on the channel, and why. It assembles the facts exactly as Batch does (one
// code path, see Evaluation) and runs the one policy evaluation.
//
// Errors: an unknown purpose wraps policy.ErrUnknownPurpose and an unknown channel
// policy.ErrUnknownChannel (both list the valid values); a malformed address wraps
// contact.ErrInvalidEmail; an address that is no contact of the workspace wraps
// errs.ErrNotFound.
func (s *Service) Eligibility(ctx context.Context, ws int64, email, purpose, channel string) (Eligibility, error) {
	ev, err := s.Prepare(ctx, ws, purpose, channel, false) // the assessment comes with the row
	if err != nil {
		return Eligibility{}, err
	}
	_, canonical, err := contact.CanonicalEmail(email)
	if err != nil {
		return Eligibility{}, err
	}
	r, err := s.store.EligibilityOf(ctx, ws, canonical, purpose, string(ev.channel))
	if errors.Is(err, errs.ErrNotFound) {
		return Eligibility{}, fmt.Errorf("%s is not a contact of this workspace (import or create it first): %w", canonical, errs.ErrNotFound)
	}
	if err != nil {
		return Eligibility{}, err
	}
	out := Eligibility{ContactID: r.ContactID, Email: string(r.Email), Purpose: purpose, Channel: ev.facts.Channel.String()}
	ev.facts.LI.AssessmentApproved = ev.facts.Purpose.Marketing && r.LIAApproved
	if policy.ParseAddressVerdict(r.EmailVerdict) == policy.VerdictRisky {
		if ev.facts.ExcludeRisky, err = s.settings.SettingBool(ctx, ws, SettingExcludeRisky); err != nil {
			return Eligibility{}, err
		}
	}
	var v policy.Verdict
	if err := ev.Evaluate(ctx, &r, &v); err != nil {
		return Eligibility{}, err
	}
	out.Flatten(&v)
	out.Country, out.CountryFrom = ev.facts.Country, ev.countryFrom
	kind, explicit := ev.policy.AddressKindOf(&ev.facts)
	out.ContactKind, out.ContactKindFrom = kind.String(), "guess"
	if explicit {
		out.ContactKindFrom = "contact"
	}
	if !v.Allowed {
		ev.impliedLapsed(&out)
	}
	if v.RequiresNotice {
		if out.Notice, err = s.ProcessingNotice(ctx, ws, purpose); err != nil {
			return Eligibility{}, err
		}
	}
	return out, nil
}

// impliedLapsed adds to a refusal the implied consent (CASL) that would have allowed it had
// it not run out, with the date it started and the date it ran out (rule casl-04), before
// the deciding reason.
func (ev *Evaluation) impliedLapsed(out *Eligibility) {
	from, end, rule, ok := ev.policy.ImpliedConsent(&ev.facts)
	if !ok || end.After(ev.facts.Now) {
		return
	}
	r, ok := ev.policy.Rule("casl-04")
	if !ok {
		return
	}
	what := "purchase"
	if rule == "casl-02" {
		what = "inquiry"
	}
	lapsed := policy.EligibilityReason{RuleID: r.RuleID, Citation: r.Citation, Outcome: r.Outcome.String(),
		Text: fmt.Sprintf("%s: the implied consent from the %s on %s ran out on %s", r.Text, what,
			from.Format(time.DateOnly), end.Format(time.DateOnly))}
	n := len(out.Reasons)
	if n == 0 {
		out.Reasons = append(out.Reasons, lapsed)
		return
	}
	out.Reasons = append(out.Reasons[:n-1], lapsed, out.Reasons[n-1])
}

// Batch evaluates every contact of the workspace (or of one list, when listID is not 0) for
// the purpose and channel, as a campaign does, and calls fn with each verdict in contact id
// order. The facts come from one streaming query plus one read of the workspace's sources;
// the verdict passed to fn is reused for the next contact (copy what you keep). An error
// from fn stops the batch and is returned.
func (s *Service) Batch(ctx context.Context, ws int64, purpose, channel string, listID int64,
	fn func(contactID int64, v *policy.Verdict) error) error {
	ev, err := s.Prepare(ctx, ws, purpose, channel, true)
	if err != nil {
		return err
	}
	if err := ev.PreloadSources(ctx); err != nil {
		return err
	}
	v := policy.Verdict{Reasons: make([]policy.Reason, 0, 8)}
	return s.store.EachEligibility(ctx, ws, ev.Query(listID, 0), func(r *Row) error {
		if err := ev.Evaluate(ctx, r, &v); err != nil {
			return err
		}
		return fn(r.ContactID, &v)
	})
}

// LapsedImplied collects, for one marketing purpose and channel, the expired ledger entries
// due at now: contacts whose implied consent (CASL: two years after a purchase, six months
// after an inquiry) has run out, where the ledger holds nothing else for the purpose and
// channel (an express consent or a withdrawal stands) and no entry for this lapse yet. The
// caller writes them after the read, which must not hold the database while appending.
func (s *Service) LapsedImplied(ctx context.Context, ws int64, purpose string, ch consent.Channel, now time.Time) ([]consent.Entry, error) {
	ev, err := s.Prepare(ctx, ws, purpose, string(ch), false)
	if err != nil {
		return nil, err
	}
	ev.facts.Now = now
	if err := ev.PreloadSources(ctx); err != nil {
		return nil, err
	}
	var due []consent.Entry
	err = s.store.EachEligibility(ctx, ws, ev.Query(0, 0), func(r *Row) error {
		prior := r.Latest
		if prior.Action != "" && (consent.Action(prior.Action) != consent.Expired ||
			consent.Basis(prior.Basis) != consent.BasisImpliedConsent) {
			return nil // the ledger has its own answer for this purpose and channel
		}
		if err := ev.fill(ctx, r); err != nil {
			return err
		}
		from, end, rule, ok := ev.policy.ImpliedConsent(&ev.facts)
		if !ok || end.After(now) || (prior.Action != "" && !prior.EvidenceAt.Before(end)) {
			return nil
		}
		due = append(due, consent.Entry{WorkspaceID: ws, ContactID: r.ContactID, Purpose: purpose, Channel: ch,
			Action: consent.Expired, Basis: consent.BasisImpliedConsent, Actor: "system:implied-consent-expiry",
			Evidence: consent.Evidence{Timestamp: end, DocumentRef: fmt.Sprintf(
				"implied consent from %s ran out on %s (rule %s)", from.Format(time.DateOnly), end.Format(time.DateOnly), rule)}})
		return nil
	})
	return due, err
}

// purposeFor turns the workspace's purpose into the policy's: the store says whether it is
// marketing, own similar products (the only marketing a soft opt-in covers) or essential.
func (s *Service) purposeFor(ctx context.Context, ws int64, name string) (policy.Purpose, error) {
	ps, err := s.cache.purposesFor(ctx, s.store, ws, false)
	if err != nil {
		return policy.Purpose{}, err
	}
	if !hasPurpose(ps, name) { // perhaps added since it was cached
		if ps, err = s.cache.purposesFor(ctx, s.store, ws, true); err != nil {
			return policy.Purpose{}, err
		}
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
		if p.Name != name {
			continue
		}
		return policy.Purpose{Name: p.Name, Marketing: p.Marketing,
			OwnSimilarProducts: p.SimilarProducts && p.Marketing, Essential: p.Essential && !p.Marketing}, nil
	}
	return policy.Purpose{}, fmt.Errorf("%w %q: use one of %s", policy.ErrUnknownPurpose, name, strings.Join(names, ", "))
}

// ProcessingNotice renders the notice contacts mailed on legitimate interest must get in
// every message, from the workspace's assessment for the purpose. It is empty when the
// workspace has no assessment for the purpose.
func (s *Service) ProcessingNotice(ctx context.Context, ws int64, purpose string) (string, error) {
	l, err := s.store.LIAFor(ctx, ws, purpose)
	if errors.Is(err, errs.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return RenderNotice(l), nil
}

// RenderNotice writes the processing notice for an assessment: how the data is processed,
// why, and how to object.
func RenderNotice(l consent.LIA) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Why you are receiving this: we process your business contact details (name, e-mail address, "+
		"company) on the basis of our legitimate interest (Art. 6(1)(f) GDPR) for this purpose: %s\n",
		strings.TrimSpace(l.PurposeText))
	fmt.Fprintf(&b, "Why it is necessary: %s\n", strings.TrimSpace(l.Necessity))
	fmt.Fprintf(&b, "How we weighed your interests: %s\n", strings.TrimSpace(l.Balancing))
	b.WriteString("Your right to object: you can object at any time, free of charge, with the unsubscribe link in " +
		"this message or by replying to it; we will then stop processing your data for this purpose (Art. 21 GDPR).")
	return b.String()
}

func hasPurpose(ps []consent.Purpose, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

func isNotFound(err error) bool { return errors.Is(err, errs.ErrNotFound) }
