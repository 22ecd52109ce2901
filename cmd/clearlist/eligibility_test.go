package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/policy"
)

// TestCLICheck: check exits 0 when allowed, 3 when refused and 1 on an error, and prints
// every reason; lia and li-reason make a B2B contact mailable on legitimate interest.
func TestCLICheck(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("import", e.file("a.csv", "email,phone\nann@gmail.com,+49301234567\nbob@acme.nl,+31201234567\n"), "--source-type", "signup-cards")
	r := e.run("check", "--email", "Ann@Gmail.com", "--purpose", "newsletter")
	if r.code != exitRefused || !strings.HasPrefix(r.stdout, "refused: ann@gmail.com") || !strings.Contains(r.stdout, "con-01") {
		t.Fatalf("check without consent: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	e.ok("consent", "add", "--email", "ann@gmail.com", "--purpose", "newsletter", "--wording", "Yes, send me the newsletter")
	r = e.ok("check", "--email", "ann@gmail.com", "--purpose", "newsletter", "--json")
	var got policy.Eligibility
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil || !got.Allowed || got.Basis != "consent" ||
		got.Reasons[0].RuleID != "src-09" || got.Reasons[0].Citation == "" || got.Jurisdiction != "jur-de" {
		t.Fatalf("check --json: %v %s", err, r.stdout)
	}
	e.fails(1, "unknown purpose \"offers\": use one of newsletter", "check", "--email", "ann@gmail.com", "--purpose", "offers")
	e.fails(1, "unknown channel \"fax\"", "check", "--email", "ann@gmail.com", "--purpose", "newsletter", "--channel", "fax")
	e.fails(1, "not a contact of this workspace", "check", "--email", "nobody@gmail.com", "--purpose", "newsletter")

	// Legitimate interest: the Dutch business address from a sign-up card without consent is
	// refused until the assessment and the contact's reason exist.
	e.ok("import", e.file("b.csv", "email,phone\ncarl@acme.nl,+31201234567\n"), "--source-type", "b2b-public-research")
	if r := e.run("check", "--email", "carl@acme.nl", "--purpose", "product-updates"); r.code != exitRefused {
		t.Fatalf("B2B without assessment: exit %d %s", r.code, r.stdout)
	}
	e.ok("lia", "set", "--purpose", "product-updates", "--purpose-text", "telling buyers about our tools",
		"--necessity", "they choose tools", "--balancing", "low intrusion, easy opt-out", "--approved-by", "DPO Anna")
	if r := e.ok("lia", "ls"); !hasLine(r.stdout, "product-updates", "DPO") {
		t.Errorf("lia ls: %s", r.stdout)
	}
	e.ok("li-reason", "set", "--email", "carl@acme.nl", "--purpose", "product-updates", "--reason", "head of procurement")
	r = e.ok("check", "--email", "carl@acme.nl", "--purpose", "product-updates")
	if !strings.Contains(r.stdout, "basis: legitimate interest") || !strings.Contains(r.stdout, "telling buyers about our tools") {
		t.Fatalf("B2B with assessment and reason: %s", r.stdout)
	}
}
