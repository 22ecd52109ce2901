package app

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/store"
)

// consentCSV has one good row with a sign-up and its confirmation, one with written
// permission (document and wording), and one bad cell of each kind the import refuses.
const consentCSV = `email,consent_at,consent_ip,consent_wording,consent_document,consent_confirmed_at,consent_confirmed_ip,consent_purpose,consent_action
doi@example.com,2024-03-01T09:30:00+01:00,203.0.113.7,"Yes, send me the newsletter",,2024-03-01 09:45:00,203.0.113.7,,
card@example.com,03/25/2024,,"Yes, send me the newsletter",binder 4 page 12,,,,
badip@example.com,2024-03-01,300.1.2.3,"Yes",,,,,
future@example.com,2999-01-01,,"Yes",,,,,
unparsable@example.com,yesterday,,"Yes",,,,,
ambiguous@example.com,03/04/2024,,"Yes",,,,,
purpose@example.com,2024-03-01,,"Yes",,,,no-such-purpose,
action@example.com,2024-03-01,,"Yes",,,,,maybe
confirmonly@example.com,2024-03-01,,"Yes",,,,,confirmed
nowording@example.com,2024-03-01,,,,,,,
`

func TestImportConsentColumns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		path := writeFile(t, "consent.csv", []byte(consentCSV))
		sum := importFile(t, a, path, func(r *contact.ImportRequest) {
			r.Source.Type = "business-cards"
			r.ConsentPurpose = "newsletter"
		})
		if sum.Inserted != 2 || sum.Failed != 8 || sum.Consents != 3 {
			t.Fatalf("summary: %+v", sum)
		}
		if len(sum.Notes) == 0 || !strings.Contains(sum.Notes[0], "UTC") {
			t.Errorf("no note on times without a zone: %v", sum.Notes)
		}
		report, err := os.ReadFile(sum.ReportPath)
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"is not an IP address", "in the future", "is not a time this import reads", "ambiguous",
			`unknown purpose ""no-such-purpose""`, `unknown consent action ""maybe""`, "a confirmation without an earlier grant",
			"without the wording"} {
			if !strings.Contains(string(report), want) {
				t.Errorf("report lacks %q:\n%s", want, report)
			}
		}
		for _, email := range []string{"badip@example.com", "future@example.com", "confirmonly@example.com"} {
			if _, err := a.st.ContactByEmail(ctx, a.Workspace.ID, email); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s: a row with bad consent cells was stored (%v)", email, err)
			}
		}
		// Business cards need written permission: the document and wording on the ledger entry
		// are that, per person; a row without the document is refused by the same rule.
		for email, allowed := range map[string]bool{"card@example.com": true, "doi@example.com": false} {
			el, err := a.Elig.Eligibility(ctx, a.Workspace.ID, email, "newsletter", "email")
			if err != nil {
				t.Fatal(err)
			}
			if el.Allowed != allowed || (!allowed && el.Reasons[0].RuleID != "src-08") {
				t.Errorf("%s: allowed %v, want %v: %+v", email, el.Allowed, allowed, el.Reasons)
			}
		}
		c, err := a.st.ContactByEmail(ctx, a.Workspace.ID, "doi@example.com")
		if err != nil {
			t.Fatal(err)
		}
		es, err := a.st.ConsentsForContact(ctx, a.Workspace.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].Action != "granted" || es[1].Action != "confirmed" || es[0].SourceID != sum.SourceID ||
			es[0].Evidence.Timestamp.Format("15:04") != "08:30" || es[1].Evidence.Timestamp.Format("15:04") != "09:45" {
			t.Fatalf("entries: %+v", es)
		}
		v, err := a.Consents.Verify(ctx, a.Workspace.ID)
		if err != nil || !v.Intact || v.Entries != 3 {
			t.Fatalf("verify: %+v %v", v, err)
		}

		// A second import confirms the card's grant: the ledger has it, so the row is good,
		// and the chain goes on from the first import's head.
		path = writeFile(t, "confirm.csv", []byte("email,consent_action,consent_at,consent_purpose\ncard@example.com,confirmed,2024-03-26,newsletter\n"))
		sum = importFile(t, a, path, nil)
		if sum.Failed != 0 || sum.Consents != 1 {
			t.Fatalf("confirmation import: %+v", sum)
		}
		if v, err := a.Consents.Verify(ctx, a.Workspace.ID); err != nil || !v.Intact || v.Entries != 4 {
			t.Fatalf("verify: %+v %v", v, err)
		}
	})
}

func TestImportConsentPurposeUnknown(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		path := writeFile(t, "c.csv", []byte("email\na@example.com\n"))
		_, err := a.Imports.Import(context.Background(), a.Workspace.ID, contact.ImportRequest{Path: path,
			Source: contact.Source{Type: "business-cards"}, ConsentPurpose: "nope"}, 0)
		if !errors.Is(err, contact.ErrInvalidImport) || !strings.Contains(err.Error(), "newsletter") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestImportEvidenceColumnUnknownKey(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		path := writeFile(t, "c.csv", []byte("email,evidence_double-opt-in\na@example.com,yes\n"))
		_, err := a.Imports.Import(context.Background(), a.Workspace.ID, contact.ImportRequest{Path: path,
			Source: contact.Source{Type: "business-cards"}}, 0)
		if !errors.Is(err, contact.ErrInvalidImport) || !strings.Contains(err.Error(), "written_permission") {
			t.Fatalf("err = %v", err)
		}
	})
}

// TestImportEvidenceColumns: evidence per row, the file-wide --evidence as the default; the
// policy reads each contact's evidence from its source.
func TestImportEvidenceColumns(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		declare(t, a, "country")
		// Every row records the grant (the policy asks for recorded consent as well); only two
		// say that written permission is on file.
		path := writeFile(t, "cards.csv", []byte("email,country,consent_at,consent_wording,evidence_written_permission,evidence_document\n"+
			"yes@example.com,DE,2024-03-01,Yes,yes,binder 4\nno@example.com,DE,2024-03-01,Yes,,\nalso@example.com,DE,2024-03-01,Yes,yes,binder 4\n"))
		sum := importFile(t, a, path, func(r *contact.ImportRequest) {
			r.Source.Type = "business-cards"
			r.ConsentPurpose = "newsletter"
			r.Source.Evidence = map[string]string{"event": "Expo 2026"}
		})
		if sum.Inserted != 3 || sum.Failed != 0 {
			t.Fatalf("summary: %+v", sum)
		}
		for email, allowed := range map[string]bool{"yes@example.com": true, "also@example.com": true, "no@example.com": false} {
			el, err := a.Elig.Eligibility(ctx, a.Workspace.ID, email, "newsletter", "email")
			if err != nil {
				t.Fatal(err)
			}
			if el.Allowed != allowed || (!allowed && el.Reasons[0].RuleID != "src-08") {
				t.Errorf("%s: allowed %v, want %v: %+v", email, el.Allowed, allowed, el.Reasons)
			}
		}
		yes, _ := a.st.ContactByEmail(ctx, a.Workspace.ID, "yes@example.com")
		also, _ := a.st.ContactByEmail(ctx, a.Workspace.ID, "also@example.com")
		no, _ := a.st.ContactByEmail(ctx, a.Workspace.ID, "no@example.com")
		if yes.FirstSourceID != also.FirstSourceID || yes.FirstSourceID == no.FirstSourceID || no.FirstSourceID != sum.SourceID {
			t.Fatalf("sources: %d %d %d (import %d)", yes.FirstSourceID, also.FirstSourceID, no.FirstSourceID, sum.SourceID)
		}
		src, err := a.st.Source(ctx, a.Workspace.ID, yes.FirstSourceID)
		if err != nil || src.Evidence["event"] != "Expo 2026" || src.Evidence["document"] != "binder 4" || src.Type != "business-cards" {
			t.Fatalf("row source: %+v %v", src, err)
		}
	})
}
