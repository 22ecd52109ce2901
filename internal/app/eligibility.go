package app

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
)

// Eligibility is the answer of Eligibility: the policy's verdict flattened for JSON.
type Eligibility = policy.Eligibility

// Eligibility says whether the workspace's contact with this e-mail address may be contacted
// for the purpose on the channel, and why. It assembles the facts exactly as EligibilityBatch
// does (one code path, see evaluation) and runs the one policy evaluation.
//
// Errors: an unknown purpose wraps policy.ErrUnknownPurpose and an unknown channel
// policy.ErrUnknownChannel (both list the valid values); a malformed address wraps
// contact.ErrInvalidEmail; an address that is no contact of the workspace wraps
// store.ErrNotFound.
func (a *App) Eligibility(ctx context.Context, ws int64, email, purpose, channel string) (Eligibility, error) {
	ev, err := a.newEvaluation(ctx, ws, purpose, channel, false) // the assessment comes with the row
	if err != nil {
		return Eligibility{}, err
	}
	_, canonical, err := contact.CanonicalEmail(email)
	if err != nil {
		return Eligibility{}, err
	}
	r, err := a.Store.EligibilityOf(ctx, ws, canonical, purpose, string(ev.channel))
	if errors.Is(err, store.ErrNotFound) {
		return Eligibility{}, fmt.Errorf("%s is not a contact of this workspace (import or create it first): %w", canonical, store.ErrNotFound)
	}
	if err != nil {
		return Eligibility{}, err
	}
	out := Eligibility{ContactID: r.ContactID, Email: string(r.Email), Purpose: purpose, Channel: ev.facts.Channel.String()}
	ev.facts.LI.AssessmentApproved = ev.facts.Purpose.Marketing && r.LIAApproved
	if policy.ParseAddressVerdict(r.EmailVerdict) == policy.VerdictRisky {
		if ev.facts.ExcludeRisky, err = a.settingBool(ctx, ws, SettingExcludeRisky); err != nil {
			return Eligibility{}, err
		}
	}
	var v policy.Verdict
	if err := ev.evaluate(ctx, &r, &v); err != nil {
		return Eligibility{}, err
	}
	out.Flatten(&v)
	if v.RequiresNotice {
		if out.Notice, err = a.ProcessingNotice(ctx, ws, purpose); err != nil {
			return Eligibility{}, err
		}
	}
	return out, nil
}

// EligibilityBatch evaluates every contact of the workspace (or of one list, when listID is
// not 0) for the purpose and channel, as a campaign does, and calls fn with each verdict in
// contact id order. The facts come from one streaming query plus one read of the workspace's
// sources; the verdict passed to fn is reused for the next contact (copy what you keep).
// An error from fn stops the batch and is returned.
func (a *App) EligibilityBatch(ctx context.Context, ws int64, purpose, channel string, listID int64,
	fn func(contactID int64, v *policy.Verdict) error) error {
	ev, err := a.newEvaluation(ctx, ws, purpose, channel, true)
	if err != nil {
		return err
	}
	if ev.sources, err = a.Store.AllSources(ctx, ws); err != nil {
		return err
	}
	v := policy.Verdict{Reasons: make([]policy.Reason, 0, 8)}
	return a.Store.EachEligibility(ctx, ws, ev.query(listID, 0), func(r *store.EligibilityRow) error {
		if err := ev.evaluate(ctx, r, &v); err != nil {
			return err
		}
		return fn(r.ContactID, &v)
	})
}

// purposeFor turns the workspace's purpose into the policy's: the store says whether it is
// marketing; own-similar-products (the only marketing a soft opt-in covers) and essential
// come from the policy's defaults of the same name.
func (a *App) purposeFor(ctx context.Context, ws int64, name string) (policy.Purpose, error) {
	ps, err := a.elig.purposesFor(ctx, a.Store, ws, false)
	if err != nil {
		return policy.Purpose{}, err
	}
	if !hasPurpose(ps, name) { // perhaps added since it was cached
		if ps, err = a.elig.purposesFor(ctx, a.Store, ws, true); err != nil {
			return policy.Purpose{}, err
		}
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
		if p.Name != name {
			continue
		}
		out := policy.Purpose{Name: p.Name, Marketing: p.Marketing}
		for _, d := range policy.DefaultPurposes() {
			if d.Name == p.Name && d.Marketing == p.Marketing {
				out.OwnSimilarProducts, out.Essential = d.OwnSimilarProducts, d.Essential
			}
		}
		return out, nil
	}
	return policy.Purpose{}, fmt.Errorf("%w %q: use one of %s", policy.ErrUnknownPurpose, name, strings.Join(names, ", "))
}

// ProcessingNotice renders the notice contacts mailed on legitimate interest must get in
// every message, from the workspace's assessment for the purpose. It is empty when the
// workspace has no assessment for the purpose.
func (a *App) ProcessingNotice(ctx context.Context, ws int64, purpose string) (string, error) {
	l, err := a.Store.LIAFor(ctx, ws, purpose)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return RenderNotice(l), nil
}

// RenderNotice writes the processing notice for an assessment: how the data is processed,
// why, and how to object.
func RenderNotice(l store.LIA) string {
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

// nowFunc is the clock of evaluations; tests may stop it.
var nowFunc = time.Now

func hasPurpose(ps []consent.Purpose, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
