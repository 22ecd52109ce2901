package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestCLISayEveryFact says, through the real binary, each fact of issue 12 for one contact
// and checks that `check` reflects it: a pre-ticked box (refused, con-12), a written
// permission per person (document reference and wording: allowed where business cards need
// it), a purchase date (customer purchase in CA: casl-04 naming the date), a contact kind and
// a country (the verdict says both came from the contact).
func TestCLISayEveryFact(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")

	e.ok("import", e.file("signup.csv", "email,consent_at,consent_wording,consent_prechecked\n"+
		"ann@gmail.com,2026-03-01T09:30:00Z,Send me the newsletter,true\n"), "--source-type", "signup-cards", "--consent-purpose", "newsletter")
	if got := checkJSON(t, e, "--email", "ann@gmail.com", "--purpose", "newsletter"); got.Allowed || !hasRule(got, "con-12") {
		t.Errorf("pre-ticked box: %+v", got)
	}

	e.ok("import", e.file("cards.csv", "email\nbob@gmail.com\n"), "--source-type", "business-cards")
	if got := checkJSON(t, e, "--email", "bob@gmail.com", "--purpose", "newsletter"); got.Allowed {
		t.Errorf("business card without written permission: %+v", got)
	}
	e.ok("consent", "add", "--email", "bob@gmail.com", "--purpose", "newsletter", "--wording", "Yes, send me the newsletter",
		"--document-ref", "binder 4 page 12", "--at", "2026-03-01T09:30:00Z")
	if got := checkJSON(t, e, "--email", "bob@gmail.com", "--purpose", "newsletter"); !got.Allowed {
		t.Errorf("business card with written permission: %+v", got)
	}

	e.ok("import", e.file("purchases.csv", "email,country,evidence_purchase_date\ncara@example.ca,CA,2020-02-10\n"),
		"--source-type", "customer-purchase")
	got := checkJSON(t, e, "--email", "cara@example.ca", "--purpose", "newsletter")
	if got.Allowed || !hasRule(got, "casl-04") || !strings.Contains(fmt.Sprint(got.Reasons), "2020-02-10") ||
		got.Country != "CA" || got.CountryFrom != "contact" {
		t.Errorf("old purchase in CA: %+v", got)
	}

	e.ok("import", e.file("b2b.csv", "email,country,contact_kind\ndora@gmail.com,GB,corporate\n"), "--source-type", "b2b-public-research")
	if got := checkJSON(t, e, "--email", "dora@gmail.com", "--purpose", "product-updates"); got.ContactKind != "corporate" ||
		got.ContactKindFrom != "contact" || got.Country != "GB" || got.CountryFrom != "contact" || got.Jurisdiction != "jur-uk" {
		t.Errorf("contact kind and country: %+v", got)
	}
}
