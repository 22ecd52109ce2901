package storetest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// testAuditCoverage: the declarations (attributes, sources, purposes, assessments and
// reasons), sign-up links and welcomes, verification results and jobs each write exactly one
// entry by the context's actor; an import writes none when it starts and one when it ends.
func testAuditCoverage(t *testing.T, st *store.Store) {
	actor := audit.Actor{Kind: audit.CLI, ID: "auditor", Name: "clearlist test"}
	ctx := audit.WithActor(context.Background(), actor)
	w := ws(t, st, "audit-coverage")
	src := source(t, st, w)
	c, err := st.CreateContact(ctx, newContact(w, src.ID, "cov@example.com"), nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: w, Name: "cov"})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().UTC().Truncate(time.Microsecond)
	sg, err := st.CreateSignup(ctx, store.Signup{WorkspaceID: w, ContactID: c.ID, SourceID: src.ID, ListID: &l.ID,
		Purposes: []string{"newsletter"}, FormID: "f", FormVersion: "1", Wording: map[string]string{"newsletter": "Yes"},
		TokenHash: bytes.Repeat([]byte{7}, 32), RequestedAt: at, RequestIP: "192.0.2.1", RequestUA: "UA", ExpiresAt: at.Add(time.Hour)},
		[]consent.Entry{{WorkspaceID: w, ContactID: c.ID, Purpose: "newsletter", Channel: consent.Email, Action: consent.Granted,
			Basis: consent.BasisDoubleOptIn, SourceID: src.ID, Actor: "public:subscribe",
			Evidence: consent.Evidence{Wording: "Yes", FormID: "f", FormVersion: "1", Timestamp: at}}})
	if err != nil {
		t.Fatal(err)
	}
	count := func() int {
		t.Helper()
		es, err := st.AuditEntries(context.Background(), w, audit.Filter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return len(es)
	}
	for _, step := range []struct {
		action string
		do     func() error
	}{
		{"attribute.add", func() error {
			return st.AddAttribute(ctx, w, contact.Attribute{Name: "company", Type: contact.AttrText, Purpose: "B2B"})
		}},
		{"attribute.remove", func() error { return st.RemoveAttribute(ctx, w, "company") }},
		{"source.create", func() error {
			_, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w, Type: "api", Description: "cov"})
			return err
		}},
		{"purpose.add", func() error {
			return st.AddPurpose(ctx, w, consent.Purpose{Name: "webinars", Description: "invitations", Marketing: true})
		}},
		{"lia.set", func() error {
			_, err := st.SetLIA(ctx, store.LIA{WorkspaceID: w, Purpose: "webinars", PurposeText: "invite buyers",
				Necessity: "they attend", Balancing: "low", ApprovedBy: "DPO"})
			return err
		}},
		{"li_reason.set", func() error {
			_, err := st.SetLIReason(ctx, store.LIReason{WorkspaceID: w, ContactID: c.ID, Purpose: "webinars",
				Reason: "Secret Buyer at ACME", RecordedBy: "test"})
			return err
		}},
		{"signup.renew", func() error {
			return st.RenewSignupLink(ctx, w, sg.ID, bytes.Repeat([]byte{8}, 32), at.Add(2*time.Hour), "fr")
		}},
		{"signup.confirm", func() error { return st.ConfirmSignup(ctx, w, sg.ID, at, "192.0.2.2", "UA2", nil) }},
		{"signup.welcomed", func() error { return st.MarkSignupWelcomed(ctx, w, sg.ID, at.Add(time.Minute)) }},
		{"verification.save", func() error {
			return st.SaveVerifications(ctx, w, []store.Verification{{Address: "cov@example.com", Verdict: "deliverable", CheckedAt: at}})
		}},
		{"verify_job.create", func() error {
			_, err := st.CreateVerifyJob(ctx, w, []string{"cov@example.com"}, at)
			return err
		}},
	} {
		before := count()
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.action, err)
		}
		es, err := st.AuditEntries(context.Background(), w, audit.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if n := count() - before; n != 1 || es[0].Action != step.action || es[0].Actor != actor {
			t.Errorf("%s: %d new entries, newest %+v; want one by %+v", step.action, n, es[0], actor)
		}
	}
	if es, _ := st.AuditEntries(context.Background(), w, audit.Filter{Entity: "contact", Limit: 1}); strings.Contains(
		es[0].Changes[1].After, "Secret Buyer") || !es[0].Changes[1].Personal {
		t.Errorf("li_reason.set keeps the reason in clear: %+v", es[0].Changes)
	}

	t.Run("ImportIsOneEntry", func(t *testing.T) {
		before := count()
		s, im, err := st.StartImport(ctx, contact.Source{WorkspaceID: w, Type: "import", Description: "a.csv"},
			store.Import{WorkspaceID: w, FileName: "a.csv", OnConflict: "update"})
		if err != nil || s.ID == 0 || im.SourceID != s.ID || im.Status != store.ImportRunning {
			t.Fatalf("StartImport = %+v, %+v, %v", s, im, err)
		}
		if got, err := st.Source(ctx, w, s.ID); err != nil || got.Description != "a.csv" {
			t.Fatalf("the import's source = %+v, %v", got, err)
		}
		if n := count() - before; n != 0 {
			t.Fatalf("StartImport wrote %d audit entries; the import's one entry is written when it ends", n)
		}
		if err := st.FinishImport(ctx, w, im.ID, store.ImportDone, "", 0, 0); err != nil {
			t.Fatal(err)
		}
		if n := count() - before; n != 1 {
			t.Fatalf("an import wrote %d audit entries, want 1", n)
		}
	})
}
