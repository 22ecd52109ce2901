package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// stubEligibility answers like app.App does for a workspace with one contact.
type stubEligibility struct{ ws []int64 }

func (s *stubEligibility) Eligibility(ctx context.Context, ws int64, email, purpose, channel string) (policy.Eligibility, error) {
	s.ws = append(s.ws, ws)
	switch {
	case purpose != "newsletter":
		return policy.Eligibility{}, fmt.Errorf("%w %q: use one of newsletter, surveys", policy.ErrUnknownPurpose, purpose)
	case channel != "email":
		return policy.Eligibility{}, fmt.Errorf("%w %q: use one of email, phone, sms", policy.ErrUnknownChannel, channel)
	case !strings.Contains(email, "@"):
		return policy.Eligibility{}, fmt.Errorf("%w: no @", contact.ErrInvalidEmail)
	case email != "ann@example.org":
		return policy.Eligibility{}, fmt.Errorf("%s is not a contact: %w", email, store.ErrNotFound)
	}
	return policy.Eligibility{ContactID: 7, Email: email, Purpose: purpose, Channel: channel, Allowed: false, Basis: "none",
		Reasons:  []policy.EligibilityReason{{RuleID: "src-02", Citation: "GDPR Art. 7", Text: "refused: organiser (rule src-02)", Outcome: "refused"}},
		Warnings: []policy.Warning{}, RulesVersion: "v"}, nil
}

func TestEligibilityAPI(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		stub := &stubEligibility{}
		e := newEnv(t, st, func(c *Config) { c.Eligibility = stub })
		r := e.do("GET", "/api/v1/eligibility?email=ann@example.org&purpose=newsletter", nil)
		want(t, r, http.StatusOK)
		body := r.json(t)
		reasons, _ := body["reasons"].([]any)
		if body["allowed"] != false || body["basis"] != "none" || body["channel"] != "email" || len(reasons) != 1 ||
			reasons[0].(map[string]any)["rule_id"] != "src-02" || reasons[0].(map[string]any)["outcome"] != "refused" {
			t.Fatalf("answer: %s", r.body)
		}
		if len(stub.ws) != 1 || stub.ws[0] != e.ws {
			t.Fatalf("asked for workspaces %v, want the token's %d", stub.ws, e.ws)
		}
		for _, tc := range []struct {
			query  string
			status int
			says   string
		}{
			{"email=bob@example.org&purpose=newsletter", http.StatusNotFound, "does not exist in this workspace"},
			{"email=ann@example.org&purpose=offers", http.StatusUnprocessableEntity, "use one of newsletter, surveys"},
			{"email=ann@example.org&purpose=newsletter&channel=fax", http.StatusUnprocessableEntity, "use one of email, phone, sms"},
			{"email=nope&purpose=newsletter", http.StatusUnprocessableEntity, "invalid e-mail address"},
			{"purpose=newsletter", http.StatusUnprocessableEntity, "email"},
		} {
			r := e.do("GET", "/api/v1/eligibility?"+tc.query, nil)
			if r.status != tc.status || !strings.Contains(string(r.body), tc.says) {
				t.Errorf("%s: %d %s; want %d saying %q", tc.query, r.status, r.body, tc.status, tc.says)
			}
		}
		if r := e.doAs("", "GET", "/api/v1/eligibility?email=ann@example.org&purpose=newsletter", nil, ""); r.status != http.StatusUnauthorized {
			t.Fatalf("without a token: %d", r.status)
		}
	})
}

func TestEligibilityAPIUnavailable(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	want(t, e.do("GET", "/api/v1/eligibility?email=ann@example.org&purpose=newsletter", nil), http.StatusServiceUnavailable)
}
