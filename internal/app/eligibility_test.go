package app

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
)

// importOne imports a one-row CSV (a German mobile number, so the jurisdiction comes from
// the phone) through the real import path and returns the stored contact.
func importOne(t *testing.T, a *App, email, sourceType string, evidence map[string]string, onBehalf bool) contact.Contact {
	t.Helper()
	path := writeFile(t, "one.csv", []byte("email,phone\n"+email+",+49 30 1234567\n"))
	importFile(t, a, path, func(r *contact.ImportRequest) {
		r.List = ""
		r.Source = contact.Source{Type: sourceType, Evidence: evidence, OnBehalfOf: onBehalf}
	})
	_, canonical, err := contact.CanonicalEmail(email)
	if err != nil {
		t.Fatal(err)
	}
	c, err := a.st.ContactByEmail(context.Background(), a.Workspace.ID, canonical)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// ledger appends entries for the contact: "g" granted two days ago with wording, "c"
// confirmed by double opt-in, "w" withdrawn, "o" objected, "x" expired.
func ledger(t *testing.T, a *App, c contact.Contact, purpose string, ch consent.Channel, steps string) {
	t.Helper()
	for _, s := range steps {
		e := consent.Entry{WorkspaceID: a.Workspace.ID, ContactID: c.ID, Purpose: purpose, Channel: ch,
			Basis: consent.BasisConsent, Actor: "test", Evidence: consent.Evidence{Timestamp: time.Now().Add(-48 * time.Hour)}}
		switch s {
		case 'g':
			e.Action, e.Evidence.Wording = consent.Granted, "Yes, send me the "+purpose
		case 'c':
			e.Action, e.Basis, e.Evidence.Timestamp = consent.Confirmed, consent.BasisDoubleOptIn, time.Now().Add(-24*time.Hour)
		case 'w':
			e.Action = consent.Withdrawn
		case 'o':
			e.Action, e.Basis = consent.Objected, consent.BasisLegitimateInterest
		case 'x':
			e.Action = consent.Expired
		}
		if _, err := a.Consents.Record(context.Background(), e); err != nil {
			t.Fatalf("ledger %c: %v", s, err)
		}
	}
}

func ev(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// TestEligibilitySourceCases is SPEC §3 through the real import path and the real store:
// each case imports a one-row file with its source type and evidence, records the ledger
// entries the case has, and asks Eligibility for the verdict and its deciding reason.
func TestEligibilitySourceCases(t *testing.T) {
	tests := []struct {
		name     string
		source   string
		evidence map[string]string
		onBehalf bool
		steps    string // ledger entries for newsletter/email
		purpose  string
		allowed  bool
		basis    string
		rule     string
		text     string
	}{
		{"1 broker list", "broker-purchase", nil, false, "g", "newsletter", false, "none", "src-01", "purchased lists are never mailable"},
		{"2 trade-fair organiser", "trade-fair-organiser", nil, false, "g", "newsletter", false, "none", "src-02",
			"refused: source 'trade-fair organiser list' — consent was given to the organiser, not to this workspace (rule src-02)"},
		{"3 own stand, double opt-in", "own-stand-signup", nil, false, "gc", "newsletter", true, "double-opt-in consent", "src-03", "send a thank-you soon"},
		{"3 own stand, signed form", "own-stand-signup", ev("written_permission", "yes"), false, "g", "newsletter", true, "consent", "src-03", "signed form"},
		{"3 own stand, neither", "own-stand-signup", nil, false, "g", "newsletter", false, "none", "con-07", "not yet confirmed"},
		{"4 purchasing association", "purchasing-association", nil, false, "g", "newsletter", false, "none", "src-04", "membership agreement"},
		{"5 social network", "social-network", nil, false, "", "newsletter", false, "none", "src-05", "only through that network"},
		{"5 social network with DOI", "social-network", nil, false, "gc", "newsletter", true, "double-opt-in consent", "src-05", "integrated double opt-in form"},
		{"6 partner list, partner's DOI", "partner-list", ev("double_opt_in", "yes"), false, "g", "newsletter", false, "none", "src-06", "third-party consent does not transfer"},
		{"6 partner list, on behalf", "partner-list", ev("double_opt_in", "true"), true, "g", "newsletter", true, "double-opt-in consent", "src-06", "on this workspace's behalf"},
		{"7 PR agency list", "pr-agency-list", nil, false, "g", "newsletter", false, "none", "src-07", "purchased lists"},
		{"8 business cards", "business-cards", nil, false, "g", "newsletter", false, "none", "src-08", "explicit written permission is missing"},
		{"8 business cards, written permission", "business-cards", ev("written_permission", "1"), false, "g", "newsletter", true, "consent", "src-08", "explicit written permission for the newsletter"},
		{"9 sign-up cards", "signup-cards", nil, false, "g", "newsletter", true, "consent", "src-09", "mail them soon"},
		{"10 agency, client's list", "agency-client-list", nil, false, "g", "newsletter", false, "none", "src-10", "no evidence of how the client collected"},
		{"10 agency, collection documented", "agency-client-list", ev("collection_evidence", "yes"), false, "g", "newsletter", true, "consent", "src-10", "documented how the list was collected"},
		{"11 shop newsletter box", "shop-newsletter-box", nil, false, "g", "newsletter", true, "consent", "src-11", "actively ticked"},
		{"11b soft opt-in, similar products", "shop-soft-opt-in", nil, false, "", "product-updates", true, "soft opt-in", "src-11b", "only the shop's own similar products"},
		{"11b soft opt-in, partner offers", "shop-soft-opt-in", nil, false, "", "partner-offers", false, "none", "soi-02", "only the workspace's own similar products"},
		{"12 group members", "group-members", nil, false, "g", "newsletter", false, "none", "src-12", "shared interests are not consent"},
		{"13 CRM export", "crm-export", nil, false, "g", "newsletter", false, "none", "src-13", "explicit, verifiable permission"},
		{"13 CRM export, verifiable permission", "crm-export", ev("written_permission", "yes"), false, "g", "newsletter", true, "consent", "src-13", "can be verified"},
		{"14 business contacts", "business-contacts", nil, false, "", "newsletter", false, "none", "src-14", "a business relationship is not a newsletter sign-up"},
		{"14 business contacts, confirmed", "business-contacts", nil, false, "gc", "newsletter", true, "double-opt-in consent", "src-14", "can be verified"},
		{"15 raffle", "raffle", nil, false, "g", "newsletter", false, "none", "src-15", "separately ticked box"},
		{"15 raffle, box but unconfirmed", "raffle", ev("separate_box", "yes"), false, "g", "newsletter", false, "none", "con-07", "not yet confirmed by double opt-in"},
		{"15 raffle with DOI", "raffle", ev("separate_box", "yes"), false, "gc", "newsletter", true, "double-opt-in consent", "src-15", "separate box and confirmed"},
		{"web form, DOI pending", "web-form-double-opt-in", nil, false, "g", "newsletter", false, "none", "con-07", "unconfirmed sign-ups are never mailed"},
		{"web form, DOI confirmed", "web-form-double-opt-in", nil, false, "gc", "newsletter", true, "double-opt-in consent", "src-17", "confirmed by double opt-in"},
		{"api without consent", "api", nil, false, "", "newsletter", false, "none", "con-01", "no consent is recorded"},
	}
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		for i, tt := range tests {
			email := fmt.Sprintf("Case%d@Gmail.com", i)
			c := importOne(t, a, email, tt.source, tt.evidence, tt.onBehalf)
			ledger(t, a, c, tt.purpose, consent.Email, tt.steps)
			got, err := a.Elig.Eligibility(ctx, a.Workspace.ID, email, tt.purpose, "email")
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			d := decisive(got)
			if got.Allowed != tt.allowed || got.Basis != tt.basis || d.RuleID != tt.rule || !strings.Contains(d.Text, tt.text) {
				t.Errorf("%s: allowed=%v basis=%q decisive %s %q; want allowed=%v basis=%q rule %s text %q",
					tt.name, got.Allowed, got.Basis, d.RuleID, d.Text, tt.allowed, tt.basis, tt.rule, tt.text)
			}
			if got.Jurisdiction != "jur-de" || got.ContactID != c.ID || got.Email != c.EmailCanonical {
				t.Errorf("%s: jurisdiction %q contact %d %q (the phone is German)", tt.name, got.Jurisdiction, got.ContactID, got.Email)
			}
			if got.Allowed != got.RequiresOptOut {
				t.Errorf("%s: allowed marketing must require an opt-out", tt.name)
			}
		}
		checkBatchMatches(t, a, "newsletter")
		checkBatchMatches(t, a, "product-updates")
	})
}

// decisive is the reason that decided: the first allowed one of an allowed answer, the
// first refused one of a refusal.
func decisive(e policy.Eligibility) policy.EligibilityReason {
	want := "refused"
	if e.Allowed {
		want = "allowed"
	}
	for _, r := range e.Reasons {
		if r.Outcome == want {
			return r
		}
	}
	return policy.EligibilityReason{}
}

// checkBatchMatches proves there is one evaluation: the batch gives every contact the
// verdict the single answer gives.
func checkBatchMatches(t *testing.T, a *App, purpose string) {
	t.Helper()
	ctx := context.Background()
	n := 0
	err := a.Elig.Batch(ctx, a.Workspace.ID, purpose, "email", 0, func(id int64, v *policy.Verdict) error {
		n++
		c, err := a.st.Contact(ctx, a.Workspace.ID, id)
		if err != nil {
			return err
		}
		one, err := a.Elig.Eligibility(ctx, a.Workspace.ID, c.Email, purpose, "email")
		if err != nil {
			return err
		}
		var flat policy.Eligibility
		flat.Flatten(v)
		if one.Allowed != flat.Allowed || one.Basis != flat.Basis || fmt.Sprint(one.Reasons) != fmt.Sprint(flat.Reasons) {
			return fmt.Errorf("contact %s: batch %+v, single %+v", c.Email, flat.Reasons, one.Reasons)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("batch saw no contacts")
	}
}

// TestEligibilityFollowsLedger is a property test through the store: after every random
// append the verdict for a marketing purpose is allowed exactly when the latest entry for
// that purpose and channel is granted or confirmed, and entries for another channel never
// change it.
func TestEligibilityFollowsLedger(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		r := rand.New(rand.NewPCG(4, uint64(len(dsn))))
		c := importOne(t, a, "prop@example.org", "web-form-single-opt-in", nil, false)
		check := func(want bool, after string) {
			t.Helper()
			got, err := a.Elig.Eligibility(ctx, a.Workspace.ID, c.Email, "newsletter", "email")
			if err != nil {
				t.Fatal(err)
			}
			if got.Allowed != want {
				t.Fatalf("after %q: allowed = %v, want %v (%+v)", after, got.Allowed, want, got.Reasons)
			}
		}
		check(false, "")
		history, last, lastSMS := "", byte(0), byte(0)
		// steps gives a confirmation the sign-up it needs when the channel has none in force.
		steps := func(step, prev byte) string {
			if step == 'c' && prev != 'g' && prev != 'c' {
				return "gc"
			}
			return string(step)
		}
		for range 40 {
			step := "gcwox"[r.IntN(5)]
			if r.IntN(4) == 0 {
				ledger(t, a, c, "newsletter", consent.SMS, steps(step, lastSMS))
				history += "sms:" + steps(step, lastSMS) + " "
				lastSMS = step
			} else {
				ledger(t, a, c, "newsletter", consent.Email, steps(step, last))
				history += steps(step, last) + " "
				last = step
			}
			check(last == 'g' || last == 'c', history)
		}
		// Withdrawing flips an allowed verdict at once.
		ledger(t, a, c, "newsletter", consent.Email, "g")
		check(true, history+"g")
		ledger(t, a, c, "newsletter", consent.Email, "w")
		check(false, history+"g w")
	})
}

// TestEligibilityBadInput: unknown purpose and channel, a contact of another workspace, a
// malformed address — each a clear error of the kind callers branch on.
func TestEligibilityBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		importOne(t, a, "ann@example.org", "api", nil, false)
		other, err := a.st.EnsureWorkspace(ctx, "other")
		if err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name, ws, email, purpose, channel string
			is                                error
			says                              string
		}{
			{"unknown purpose", "", "ann@example.org", "offers", "email", policy.ErrUnknownPurpose, "use one of newsletter"},
			{"unknown channel", "", "ann@example.org", "newsletter", "fax", policy.ErrUnknownChannel, "use one of email, phone, sms"},
			{"other workspace", "other", "ann@example.org", "newsletter", "email", store.ErrNotFound, "not a contact of this workspace"},
			{"no such contact", "", "bob@example.org", "newsletter", "email", store.ErrNotFound, "bob@example.org"},
			{"malformed address", "", "ann@@example", "newsletter", "email", contact.ErrInvalidEmail, "invalid e-mail address"},
		}
		for _, tt := range tests {
			ws := a.Workspace.ID
			if tt.ws == "other" {
				ws = other.ID
			}
			_, err := a.Elig.Eligibility(ctx, ws, tt.email, tt.purpose, tt.channel)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("%s: err = %v, want %v saying %q", tt.name, err, tt.is, tt.says)
			}
		}
	})
}

// TestEligibilityLegitimateInterest: a B2B contact from public research in the Netherlands
// becomes mailable once the assessment and the per-contact reason exist, and the answer then
// carries the processing notice rendered from the assessment. The country column, in lower
// case, fills the contact's country field even though the workspace declared a country
// attribute (as workspaces had to before the field existed).
func TestEligibilityLegitimateInterest(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		if err := a.Contacts.AddAttribute(ctx, a.Workspace.ID, contact.Attribute{Name: "country", Type: contact.AttrText, Purpose: "jurisdiction"}); err != nil {
			t.Fatal(err)
		}
		path := writeFile(t, "b2b.csv", []byte("email,country\nbob@acme-bv.nl,nl\n"))
		importFile(t, a, path, func(r *contact.ImportRequest) { r.Source.Type = "b2b-public-research" })
		c, err := a.st.ContactByEmail(ctx, a.Workspace.ID, "bob@acme-bv.nl")
		if err != nil {
			t.Fatal(err)
		}
		ask := func() policy.Eligibility {
			t.Helper()
			e, err := a.Elig.Eligibility(ctx, a.Workspace.ID, "bob@acme-bv.nl", "product-updates", "email")
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		if e := ask(); e.Allowed || decisive(e).RuleID == "" || e.Jurisdiction != "jur-nl" {
			t.Fatalf("without an assessment: %+v", e)
		}
		if _, err := a.Consents.SetLIA(ctx, consent.LIA{WorkspaceID: a.Workspace.ID, Purpose: "product-updates",
			PurposeText: "telling buyers about our tools", Necessity: "they choose tools", Balancing: "low intrusion",
			ApprovedBy: "DPO"}); err != nil {
			t.Fatal(err)
		}
		if e := ask(); e.Allowed || !hasReason(e, "li-03") {
			t.Fatalf("without a reason for the contact: %+v", e)
		}
		if _, _, err := a.Consents.SetLIReasonByEmail(ctx, c.EmailCanonical, consent.LIReason{WorkspaceID: a.Workspace.ID,
			Purpose: "product-updates", Reason: "head of procurement", RecordedBy: "test"}); err != nil {
			t.Fatal(err)
		}
		e := ask()
		if !e.Allowed || e.Basis != "legitimate interest" || !e.RequiresNotice ||
			!strings.Contains(e.Notice, "telling buyers about our tools") || !strings.Contains(e.Notice, "object") {
			t.Fatalf("with assessment and reason: %+v", e)
		}
		// An objection ends it.
		ledger(t, a, c, "product-updates", consent.Email, "o")
		if e := ask(); e.Allowed || decisive(e).RuleID != "con-06" {
			t.Fatalf("after an objection: %+v", e)
		}
		if _, err := a.Consents.SetLIA(ctx, consent.LIA{WorkspaceID: a.Workspace.ID, Purpose: "nope", PurposeText: "x",
			Necessity: "x", Balancing: "x", ApprovedBy: "x"}); !errors.Is(err, consent.ErrInvalid) {
			t.Fatalf("assessment for an unknown purpose: %v", err)
		}
	})
}

func hasReason(e policy.Eligibility, id string) bool {
	for _, r := range e.Reasons {
		if r.RuleID == id {
			return true
		}
	}
	return false
}
