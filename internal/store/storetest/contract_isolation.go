package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

const (
	isoEmail = "same@example.com"
	isoPhone = "+14155550123"
)

// isoSeed is what seedIsolation put into one workspace.
type isoSeed struct {
	contact, source, list, signup, supp int64
}

// seedIsolation gives a workspace the same person every other seeded workspace has: a
// contact with the same address and number, consent, a sign-up, do-not-contact entries for
// both identifiers (one from the national registry), a verification, settings and the rest.
func seedIsolation(t *testing.T, st *store.Store, w int64, registryAt time.Time) isoSeed {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.EnsureDefaultPurposes(ctx, w))
	must(st.AddAttribute(ctx, w, contact.Attribute{Name: "company", Type: contact.AttrText, Purpose: "B2B"}))
	src := source(t, st, w)
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "customers"})
	must(err)
	c := newContact(w, src.ID, isoEmail)
	c.Phone = isoPhone
	c, err = st.CreateContact(ctx, c, []int64{l.ID})
	must(err)
	appendConsent(t, st, consentEntry(w, c.ID, consent.Granted))
	sg, err := st.CreateSignup(ctx, store.Signup{WorkspaceID: w, ContactID: c.ID, SourceID: src.ID, ListID: &l.ID,
		Purposes: []string{"newsletter"}, FormID: "f", FormVersion: "1", Wording: map[string]string{"newsletter": "Yes"},
		TokenHash: bytes.Repeat([]byte{byte(w)}, 32), RequestedAt: consentAt, RequestIP: "192.0.2.1", RequestUA: "UA",
		ExpiresAt: time.Now().Add(time.Hour)}, nil)
	must(err)
	mail := supp(isoEmail, "", "unsubscribe")
	phone := supp(isoPhone, "", "national-registry")
	phone.Kind, phone.ReceivedAt = "phone", registryAt
	added, _, err := st.AddSuppressions(ctx, w, []store.Suppression{mail, phone}, "")
	must(err)
	must(st.SaveVerifications(ctx, w, []store.Verification{{Address: isoEmail, Verdict: "deliverable",
		Reasons: []string{}, CheckedAt: consentAt}}))
	must(st.SetSetting(ctx, w, "verify.exclude_risky", "false"))
	_, err = st.SetLIA(ctx, store.LIA{WorkspaceID: w, Purpose: "product-updates", PurposeText: "tools",
		Necessity: "they choose tools", Balancing: "low intrusion", ApprovedBy: "DPO"})
	must(err)
	_, err = st.SetLIReason(ctx, store.LIReason{WorkspaceID: w, ContactID: c.ID, Purpose: "product-updates", Reason: "buyer", RecordedBy: "test"})
	must(err)
	_, _, err = st.CreateTokenWithRole(ctx, w, "crm", "agent")
	must(err)
	_, err = st.CreateWebhook(ctx, w, "https://example.com/hook")
	must(err)
	_, err = st.SigningKey(ctx, w, "doi")
	must(err)
	_, err = st.CreateImport(ctx, store.Import{WorkspaceID: w, SourceID: src.ID, FileName: "a.csv", Status: "running", OnConflict: "skip"})
	must(err)
	return isoSeed{contact: c.ID, source: src.ID, list: l.ID, signup: sg.ID, supp: added[0].ID}
}

// isoSnapshot reads everything the store holds for a workspace, each part as JSON to compare.
func isoSnapshot(t *testing.T, st *store.Store, w int64, s isoSeed) map[string]string {
	t.Helper()
	ctx := context.Background()
	snap := map[string]string{}
	put := func(name string, v any, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("snapshot %s: %v", name, err)
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		snap[name] = string(out)
	}
	v1, err := st.Contacts(ctx, w, store.ContactFilter{})
	put("contacts", v1, err)
	v2, err := st.EligibilityOf(ctx, w, isoEmail, "newsletter", "email")
	put("eligibility", v2, err)
	v3, err := st.ContactLists(ctx, w, s.contact)
	put("contact lists", v3, err)
	v4, err := st.ConsentsForContact(ctx, w, s.contact)
	put("consents", v4, err)
	v5, err := st.Suppressions(ctx, w, store.SuppressionFilter{IncludeRemoved: true})
	put("suppressions", v5, err)
	var changes []store.SuppressionChange
	_, err = st.SuppressionChanges(ctx, w, 0, func(c store.SuppressionChange) error { changes = append(changes, c); return nil })
	put("suppression changes", changes, err)
	at, ok, err := st.LastRegistryImport(ctx, w)
	put("last registry import", []any{at, ok}, err)
	v6, err := st.SuppressionAudit(ctx, w, 0, 1000)
	put("suppression audit", v6, err)
	v7, err := st.VerificationOf(ctx, w, isoEmail)
	put("verification", v7, err)
	v8, err := st.VerifiedSince(ctx, w, time.Time{})
	put("verified since", v8, err)
	v9, err := st.Settings(ctx, w)
	put("settings", v9, err)
	v10, err := st.LIAs(ctx, w)
	put("lias", v10, err)
	v11, err := st.LIReasonFor(ctx, w, s.contact, "product-updates")
	put("li reason", v11, err)
	v12, err := st.Tokens(ctx, w)
	put("tokens", v12, err)
	v13, err := st.Webhooks(ctx, w)
	put("webhooks", v13, err)
	v14, err := st.Lists(ctx, w)
	put("lists", v14, err)
	v15, err := st.Attributes(ctx, w)
	put("attributes", v15, err)
	v16, err := st.Imports(ctx, w, 0, 100)
	put("imports", v16, err)
	v17, err := st.Signup(ctx, w, s.signup)
	put("signup", v17, err)
	v18, err := st.Purposes(ctx, w)
	put("purposes", v18, err)
	v19, err := st.ExistingSigningKey(ctx, w, "doi")
	put("signing key", v19, err)
	v20, err := st.Sources(ctx, w, 0, 100)
	put("sources", v20, err)
	return snap
}

// testWorkspaceIsolation: two workspaces hold the same address and number; every store write
// in one leaves everything the other holds unchanged.
func testWorkspaceIsolation(t *testing.T, st *store.Store) {
	ctx := context.Background()
	a, b := ws(t, st, "iso-a"), ws(t, st, "iso-b")
	old := time.Now().UTC().Add(-60 * 24 * time.Hour).Truncate(time.Second)
	sb := seedIsolation(t, st, b, old)
	before := isoSnapshot(t, st, b, sb)
	var sa isoSeed

	now := time.Now().UTC().Truncate(time.Second)
	writes := []struct {
		name string
		fn   func() error
	}{
		{"every create (the same person in workspace a)", func() error { sa = seedIsolation(t, st, a, old); return nil }},
		{"AddPurpose", func() error {
			return st.AddPurpose(ctx, a, consent.Purpose{Name: "webinars", Description: "invitations", Marketing: true})
		}},
		{"SaveVerifications", func() error {
			return st.SaveVerifications(ctx, a, []store.Verification{{Address: isoEmail, Verdict: "undeliverable",
				Reasons: []string{"null-mx"}, CheckedAt: now}})
		}},
		{"AddSuppressions (a newer registry import)", func() error {
			e := supp(isoPhone, "sms", "national-registry")
			e.Kind, e.ReceivedAt = "phone", now
			if _, _, err := st.AddSuppressions(ctx, a, []store.Suppression{e}, "registry file"); err != nil {
				return err
			}
			if last, ok, err := st.LastRegistryImport(ctx, a); err != nil || !ok || !last.Equal(now) {
				t.Errorf("LastRegistryImport = %s, %v, %v; want the newest registry entry's time %s", last, ok, err, now)
			}
			return nil
		}},
		{"AddSuppressionsBulk", func() error {
			_, _, err := st.AddSuppressionsBulk(ctx, a, []store.Suppression{supp(isoEmail, "sms", "manual")}, "bulk")
			return err
		}},
		{"SetSetting", func() error { return st.SetSetting(ctx, a, "verify.exclude_risky", "true") }},
		{"AppendConsent", func() error {
			_, err := st.AppendConsent(ctx, consentEntry(a, sa.contact, consent.Withdrawn))
			return err
		}},
		{"UpdateContact", func() error {
			c, err := st.Contact(ctx, a, sa.contact)
			if err != nil {
				return err
			}
			c.Status = contact.StatusUnsubscribed
			_, err = st.UpdateContact(ctx, c, sa.source, nil)
			return err
		}},
		{"SetLIA", func() error {
			_, err := st.SetLIA(ctx, store.LIA{WorkspaceID: a, Purpose: "product-updates", PurposeText: "changed",
				Necessity: "changed", Balancing: "changed", ApprovedBy: "someone else"})
			return err
		}},
		{"SetLIReason", func() error {
			_, err := st.SetLIReason(ctx, store.LIReason{WorkspaceID: a, ContactID: sa.contact, Purpose: "product-updates",
				Reason: "changed", RecordedBy: "test"})
			return err
		}},
		{"ConfirmSignup", func() error { return st.ConfirmSignup(ctx, a, sa.signup, now, "192.0.2.9", "UA2", nil) }},
		{"MarkSignupWelcomed", func() error { return st.MarkSignupWelcomed(ctx, a, sa.signup, now) }},
		{"ExpireSignup", func() error {
			sg, err := st.CreateSignup(ctx, store.Signup{WorkspaceID: a, ContactID: sa.contact, SourceID: sa.source,
				Purposes: []string{"newsletter"}, TokenHash: bytes.Repeat([]byte{0xee}, 32), RequestedAt: now, ExpiresAt: now}, nil)
			if err != nil {
				return err
			}
			return st.ExpireSignup(ctx, a, sg.ID, now, nil)
		}},
		{"TouchToken", func() error {
			toks, err := st.Tokens(ctx, a)
			if err != nil || len(toks) == 0 {
				return err
			}
			return st.TouchToken(ctx, toks[0])
		}},
		{"RemoveSuppression", func() error {
			_, err := st.RemoveSuppression(ctx, a, sa.supp, "test", "isolation", func(string) bool { return true })
			return err
		}},
		{"RemoveSuppressionsByHash", func() error {
			_, err := st.RemoveSuppressionsByHash(ctx, a, [][]byte{sha(t, isoPhone)}, "national-registry", "registry", "change file")
			return err
		}},
		{"EraseSuppressionValues", func() error {
			_, err := st.EraseSuppressionValues(ctx, a, sha(t, isoEmail), "test")
			return err
		}},
		{"RevokeToken", func() error {
			toks, err := st.Tokens(ctx, a)
			if err != nil || len(toks) == 0 {
				return err
			}
			return st.RevokeToken(ctx, a, toks[0].ID)
		}},
		{"DisableWebhook", func() error {
			hooks, err := st.Webhooks(ctx, a)
			if err != nil || len(hooks) == 0 {
				return err
			}
			return st.DisableWebhook(ctx, a, hooks[0].ID)
		}},
		{"FinishImport", func() error {
			ims, err := st.Imports(ctx, a, 0, 10)
			if err != nil || len(ims) == 0 {
				return err
			}
			return st.FinishImport(ctx, a, ims[0].ID, "failed", "stopped", 1, 1)
		}},
		{"RemoveAttribute", func() error { return st.RemoveAttribute(ctx, a, "company") }},
		{"DeleteList", func() error { return st.DeleteList(ctx, a, sa.list) }},
		{"DeleteContact", func() error { return st.DeleteContact(ctx, a, sa.contact) }},
	}
	for _, w := range writes {
		if err := w.fn(); err != nil {
			t.Fatalf("%s in workspace a: %v", w.name, err)
		}
		after := isoSnapshot(t, st, b, sb)
		for part, was := range before {
			if after[part] != was {
				t.Errorf("%s in workspace a changed workspace b's %s:\nbefore: %s\nafter:  %s", w.name, part, was, after[part])
			}
		}
		if t.Failed() {
			return
		}
	}
}
