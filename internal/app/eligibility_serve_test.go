package app

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/policy"
)

// TestServeEligibility asks the real server, wired to the real evaluation, over loopback.
func TestServeEligibility(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		c := importOne(t, a, "ann@gmail.com", "signup-cards", nil, false)
		ledger(t, a, c, "newsletter", consent.Email, "g")
		_, token, err := a.st.CreateToken(context.Background(), a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		get := func(q url.Values) (int, string) {
			return apiCall(t, "GET", base+"/api/v1/eligibility?"+q.Encode(), token, "", "")
		}
		code, body := get(url.Values{"email": {"Ann@Gmail.com"}, "purpose": {"newsletter"}, "channel": {"email"}})
		var e policy.Eligibility
		if err := json.Unmarshal([]byte(body), &e); code != 200 || err != nil || !e.Allowed || e.Reasons[0].RuleID != "src-09" {
			t.Fatalf("eligibility: %d %s", code, body)
		}
		if code, body := get(url.Values{"email": {"ann@gmail.com"}, "purpose": {"partner-offers"}}); code != 200 ||
			!strings.Contains(body, `"allowed":false`) {
			t.Fatalf("no consent for partner offers: %d %s", code, body)
		}
		if code, body := get(url.Values{"email": {"bob@gmail.com"}, "purpose": {"newsletter"}}); code != 404 {
			t.Fatalf("unknown contact: %d %s", code, body)
		}
		if code, body := get(url.Values{"email": {"ann@gmail.com"}, "purpose": {"offers"}}); code != 422 ||
			!strings.Contains(body, "newsletter, partner-offers, product-updates, security-notices, surveys") {
			t.Fatalf("unknown purpose: %d %s", code, body)
		}
		if code, body := get(url.Values{"email": {"ann@gmail.com"}, "purpose": {"newsletter"}, "channel": {"fax"}}); code != 422 ||
			!strings.Contains(body, "email, phone, sms") {
			t.Fatalf("unknown channel: %d %s", code, body)
		}
		stop()
	})
}
