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

// TestServeConsentGaps says through the API what the CLI says in cmd/clearlist's
// TestCLIConsentGaps: a pre-ticked box (refused, rule con-12), a confirmation without a
// sign-up (422), a purpose marked similar products (soft opt-in) or essential.
func TestServeConsentGaps(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		ann := importOne(t, a, "ann@gmail.com", "signup-cards", nil, false)
		cara := importOne(t, a, "cara@gmail.com", "shop-soft-opt-in", nil, false)
		_, token, err := a.st.CreateToken(context.Background(), a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		defer stop()
		post := func(path, body string) (int, string) {
			return apiCall(t, "POST", base+path, token, "application/json", body)
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
		consents := fmt.Sprintf("/api/v1/contacts/%d/consents", ann.ID)

		code, body := post(consents, `{"purpose":"newsletter","channel":"email","action":"confirmed","basis":"double-opt-in",
			"evidence":{"timestamp":"2026-03-01T09:30:00Z"}}`)
		if code != 422 || !strings.Contains(body, "there is no earlier granted entry") {
			t.Fatalf("confirmation without a sign-up: %d %s", code, body)
		}
		code, body = post(consents, `{"purpose":"newsletter","channel":"email","action":"granted","basis":"consent",
			"evidence":{"wording":"Send me the newsletter","timestamp":"2026-03-01T09:30:00Z","prechecked":true}}`)
		if code != 201 || !strings.Contains(body, `"prechecked":true`) {
			t.Fatalf("pre-ticked entry: %d %s", code, body)
		}
		if e := check("ann@gmail.com", "newsletter"); e.Allowed || len(e.Reasons) == 0 || e.Reasons[0].RuleID != "con-12" ||
			!strings.Contains(e.Reasons[0].Citation, "C-673/17") {
			t.Fatalf("pre-ticked consent: %+v", e)
		}
		// The top-level field says the same.
		code, body = post(consents, `{"purpose":"surveys","channel":"email","action":"granted","basis":"consent","prechecked":true,
			"evidence":{"wording":"Ask me","timestamp":"2026-03-01T09:30:00Z"}}`)
		if code != 201 || !strings.Contains(body, `"prechecked":true`) {
			t.Fatalf("pre-ticked entry (top-level field): %d %s", code, body)
		}

		if code, body := post("/api/v1/purposes", `{"name":"gadgets","marketing":true,"similar_products":true}`); code != 201 ||
			!strings.Contains(body, `"similar_products":true`) {
			t.Fatalf("similar-products purpose: %d %s", code, body)
		}
		if code, body := post("/api/v1/purposes", `{"name":"bills","marketing":false,"similar_products":true}`); code != 422 ||
			!strings.Contains(body, "marketing purposes only") {
			t.Fatalf("similar-products service purpose: %d %s", code, body)
		}
		if code, body := post("/api/v1/purposes", `{"name":"outages","marketing":false,"essential":true}`); code != 201 {
			t.Fatalf("essential purpose: %d %s", code, body)
		}
		if e := check(cara.Email, "gadgets"); !e.Allowed || e.Basis != "soft opt-in" {
			t.Fatalf("soft opt-in for a similar-products purpose: %+v", e)
		}
		code, body = post(fmt.Sprintf("/api/v1/contacts/%d/consents", cara.ID), `{"purpose":"outages","channel":"email",
			"action":"objected","basis":"contract","evidence":{"timestamp":"2026-03-01T09:30:00Z"}}`)
		if code != 201 {
			t.Fatalf("objection: %d %s", code, body)
		}
		if e := check(cara.Email, "outages"); !e.Allowed || e.Reasons[0].RuleID != "svc-03" {
			t.Fatalf("essential purpose after an objection: %+v", e)
		}

		// Stale consents of every kind: the pre-ticked sign-up of 2026-03-01 is one.
		code, body = apiCall(t, "GET", base+"/api/v1/consents/stale?days=1&purpose=newsletter", token, "", "")
		if code != 200 || !strings.Contains(body, `"email":"ann@gmail.com"`) || !strings.Contains(body, `"purpose":"newsletter"`) {
			t.Fatalf("stale consents: %d %s", code, body)
		}
		if code, body := apiCall(t, "GET", base+"/api/v1/consents/stale?days=-1", token, "", ""); code != 422 {
			t.Fatalf("stale consents, days -1: %d %s", code, body)
		}

		// A purchase dated by the source's evidence: CASL implied consent ran out, and the
		// refusal names the date; a bad date is refused.
		declare(t, a, "country")
		code, body = post("/api/v1/contacts", `{"email":"old@example.ca","attributes":{"country":"CA"},
			"source":{"source_type":"customer-purchase","evidence":{"purchase_date":"2020-02-10"}}}`)
		if code != 201 {
			t.Fatalf("contact from a purchase: %d %s", code, body)
		}
		if e := check("old@example.ca", "newsletter"); e.Allowed || !strings.Contains(fmt.Sprint(e.Reasons),
			"the implied consent from the purchase on 2020-02-10 ran out on 2022-02-10") {
			t.Fatalf("lapsed implied consent: %+v", e)
		}
		code, body = post("/api/v1/contacts", `{"email":"x@example.ca","source":{"source_type":"customer-inquiry","evidence":{"inquiry_date":"yesterday"}}}`)
		if code != 422 || !strings.Contains(body, "give it as YYYY-MM-DD") {
			t.Fatalf("bad inquiry date: %d %s", code, body)
		}
	})
}
