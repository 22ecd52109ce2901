package app

import (
	"context"
	"testing"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
)

// TestEligibilityFollowsStatus: a contact whose status says unsubscribed, bounced or blocked
// is refused at once, whatever the ledger holds, in the single answer and in the batch.
func TestEligibilityFollowsStatus(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		c := importOne(t, a, "zoe@example.de", "web-form-double-opt-in", nil, false)
		ledger(t, a, c, "newsletter", consent.Email, "gc")
		if e, err := a.Elig.Eligibility(ctx, a.Workspace.ID, c.Email, "newsletter", "email"); err != nil || !e.Allowed {
			t.Fatalf("confirmed contact: %+v, %v", e, err)
		}
		for status, rule := range map[contact.Status]string{
			contact.StatusUnsubscribed: "sts-01", contact.StatusBounced: "sts-02", contact.StatusBlocked: "sts-03",
		} {
			c.Status = status
			if _, err := a.st.UpdateContact(ctx, c, 0, nil); err != nil {
				t.Fatal(err)
			}
			e, err := a.Elig.Eligibility(ctx, a.Workspace.ID, c.Email, "newsletter", "email")
			if err != nil || e.Allowed || decisive(e).RuleID != rule {
				t.Errorf("status %s: allowed %v by %s, want refused by %s (%v)", status, e.Allowed, decisive(e).RuleID, rule, err)
			}
			checkBatchMatches(t, a, "newsletter")
		}
	})
}
