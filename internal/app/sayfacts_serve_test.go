package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/policy"
)

// TestServeSayEveryFact says through the API what cmd/clearlist's TestCLISayEveryFact says
// through the CLI, each fact for one contact, and checks that GET /api/v1/eligibility
// reflects it: a pre-ticked box, a written permission per person, a purchase date, a contact
// kind and a country.
func TestServeSayEveryFact(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		_, token, err := a.st.CreateToken(context.Background(), a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		defer stop()
		post := func(path, body string) map[string]any {
			t.Helper()
			code, out := apiCall(t, "POST", base+path, token, "application/json", body)
			var m map[string]any
			if err := json.Unmarshal([]byte(out), &m); (code != 201 && code != 200) || err != nil {
				t.Fatalf("POST %s: %d %s", path, code, out)
			}
			return m
		}
		check := func(email, purpose string) policy.Eligibility {
			t.Helper()
			code, body := apiCall(t, "GET", base+"/api/v1/eligibility?"+url.Values{"email": {email}, "purpose": {purpose}}.Encode(), token, "", "")
			var e policy.Eligibility
			if err := json.Unmarshal([]byte(body), &e); code != 200 || err != nil {
				t.Fatalf("eligibility %s %s: %d %s", email, purpose, code, body)
			}
			return e
		}
		has := func(e policy.Eligibility, rule string) bool {
			for _, r := range e.Reasons {
				if r.RuleID == rule {
					return true
				}
			}
			return false
		}
		consents := func(c map[string]any) string { return fmt.Sprintf("/api/v1/contacts/%v/consents", c["id"]) }

		ann := post("/api/v1/contacts", `{"email":"ann@gmail.com","source":{"source_type":"signup-cards"}}`)
		post(consents(ann), `{"purpose":"newsletter","channel":"email","action":"granted","basis":"consent",
			"evidence":{"wording":"Send me the newsletter","timestamp":"2026-03-01T09:30:00Z","prechecked":true}}`)
		if e := check("ann@gmail.com", "newsletter"); e.Allowed || !has(e, "con-12") {
			t.Errorf("pre-ticked box: %+v", e)
		}

		bob := post("/api/v1/contacts", `{"email":"bob@gmail.com","source":{"source_type":"business-cards"}}`)
		if e := check("bob@gmail.com", "newsletter"); e.Allowed {
			t.Errorf("business card without written permission: %+v", e)
		}
		post(consents(bob), `{"purpose":"newsletter","channel":"email","action":"granted","basis":"consent",
			"evidence":{"wording":"Yes, send me the newsletter","document_ref":"binder 4 page 12","timestamp":"2026-03-01T09:30:00Z"}}`)
		if e := check("bob@gmail.com", "newsletter"); !e.Allowed {
			t.Errorf("business card with written permission: %+v", e)
		}

		post("/api/v1/contacts", `{"email":"cara@example.ca","country":"CA",
			"source":{"source_type":"customer-purchase","evidence":{"purchase_date":"2020-02-10"}}}`)
		if e := check("cara@example.ca", "newsletter"); e.Allowed || !has(e, "casl-04") ||
			!strings.Contains(fmt.Sprint(e.Reasons), "2020-02-10") || e.Country != "CA" || e.CountryFrom != "contact" {
			t.Errorf("old purchase in CA: %+v", e)
		}

		post("/api/v1/contacts", `{"email":"dora@gmail.com","country":"GB","contact_kind":"corporate",
			"source":{"source_type":"b2b-public-research"}}`)
		if e := check("dora@gmail.com", "product-updates"); e.ContactKind != "corporate" || e.ContactKindFrom != "contact" ||
			e.Country != "GB" || e.CountryFrom != "contact" || e.Jurisdiction != "jur-uk" {
			t.Errorf("contact kind and country: %+v", e)
		}
	})
}
