package main

import (
	"encoding/json"
	"os/user"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

func TestCLIConsentGapsSQLite(t *testing.T) {
	t.Parallel()
	testCLIConsentGaps(t, newCLI(t, ""))
}

func TestCLIConsentGapsPostgres(t *testing.T) {
	t.Parallel()
	testCLIConsentGaps(t, newCLI(t, storetest.PostgresDSN(t)))
}

// checkJSON runs check --json and decodes the verdict, whatever the exit status.
func checkJSON(t *testing.T, e *cliEnv, args ...string) policy.Eligibility {
	t.Helper()
	r := e.run(append([]string{"check", "--json"}, args...)...)
	var got policy.Eligibility
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("check %v: exit %d %v\n%s%s", args, r.code, err, r.stdout, r.stderr)
	}
	return got
}

func hasRule(v policy.Eligibility, id string) bool {
	for _, r := range v.Reasons {
		if r.RuleID == id {
			return true
		}
	}
	return false
}

// testCLIConsentGaps: a pre-ticked box is recorded and refused (con-12), also after a
// confirmation; a confirmation needs an earlier sign-up; the actor is the OS user; custom
// purposes marked similar products or essential service are judged so.
func testCLIConsentGaps(t *testing.T, e *cliEnv) {
	e.ok("import", e.file("a.csv", "email,phone\nann@gmail.com,+49301234567\nbob@gmail.com,+49301234568\n"), "--source-type", "signup-cards")

	// 1. Pre-ticked box: recorded, shown, refused by check with its rule and citation.
	e.ok("consent", "add", "--email", "ann@gmail.com", "--purpose", "newsletter", "--wording", "Send me the newsletter", "--prechecked")
	r := e.run("check", "--email", "ann@gmail.com", "--purpose", "newsletter")
	if r.code != exitRefused || !strings.Contains(r.stdout, "con-12") || !strings.Contains(r.stdout, "pre-ticked") ||
		!strings.Contains(r.stdout, "C-673/17") {
		t.Fatalf("check of a pre-ticked consent: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var show consentShow
	if err := json.Unmarshal([]byte(e.ok("consent", "show", "--email", "ann@gmail.com", "--json").stdout), &show); err != nil {
		t.Fatal(err)
	}
	if len(show.Entries) != 1 || !show.Entries[0].Evidence.Prechecked {
		t.Fatalf("pre-ticked entry: %+v", show.Entries)
	}
	// 3. The actor is the OS user, never cli:unknown, even without $USER.
	u, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	if a := show.Entries[0].Actor; a != "cli:"+u.Username {
		t.Errorf("actor %q, want cli:%s", a, u.Username)
	}
	e.env = []string{"USER=", "LOGNAME="}
	e.ok("consent", "add", "--email", "bob@gmail.com", "--purpose", "surveys", "--wording", "Ask me", "--basis", "consent")
	e.env = nil
	if err := json.Unmarshal([]byte(e.ok("consent", "show", "--email", "bob@gmail.com", "--json").stdout), &show); err != nil {
		t.Fatal(err)
	}
	if a := show.Entries[0].Actor; a == "cli:unknown" || a == "cli:" || a != "cli:"+u.Username {
		t.Errorf("actor without $USER: %q", a)
	}

	// 2. A confirmation confirms a sign-up: without one it is refused; after a pre-ticked
	// one it stays pre-ticked; after a proper one it is allowed.
	e.fails(1, "there is no earlier granted entry", "consent", "add", "--email", "bob@gmail.com", "--purpose", "newsletter",
		"--action", "confirmed", "--basis", "double-opt-in")
	e.ok("consent", "add", "--email", "ann@gmail.com", "--purpose", "newsletter", "--action", "confirmed", "--basis", "double-opt-in")
	if v := checkJSON(t, e, "--email", "ann@gmail.com", "--purpose", "newsletter"); v.Allowed || !hasRule(v, "con-12") {
		t.Fatalf("confirmed pre-ticked sign-up: %+v", v)
	}
	e.ok("consent", "add", "--email", "bob@gmail.com", "--purpose", "newsletter", "--wording", "Send me the newsletter")
	e.ok("consent", "add", "--email", "bob@gmail.com", "--purpose", "newsletter", "--action", "confirmed", "--basis", "double-opt-in")
	if v := checkJSON(t, e, "--email", "bob@gmail.com", "--purpose", "newsletter"); !v.Allowed || !hasRule(v, "con-03") {
		t.Fatalf("confirmed sign-up: %+v", v)
	}
	e.ok("consent", "add", "--email", "bob@gmail.com", "--purpose", "newsletter", "--action", "withdrawn")
	e.fails(1, "the sign-up is withdrawn since entry", "consent", "add", "--email", "bob@gmail.com", "--purpose", "newsletter",
		"--action", "confirmed", "--basis", "double-opt-in")
	if r := e.ok("consent", "verify"); !strings.HasPrefix(r.stdout, "chain intact") {
		t.Errorf("verify: %s", r.stdout)
	}

	// 4. Custom purposes: similar products (soft opt-in) and essential service messages.
	if r := e.ok("consent", "purpose", "add", "gadgets", "--similar-products", "--description", "gadgets like those bought"); !strings.Contains(r.stdout, "marketing, similar products") {
		t.Errorf("purpose add --similar-products: %s", r.stdout)
	}
	e.ok("consent", "purpose", "add", "offers")
	e.ok("consent", "purpose", "add", "invoices", "--service")
	e.ok("consent", "purpose-add", "outages", "--essential")
	e.fails(1, "similar products (soft opt-in) applies to marketing purposes only", "consent", "purpose", "add", "bills", "--similar-products", "--no-marketing")
	e.fails(80, "can't be used together", "consent", "purpose", "add", "x", "--similar-products", "--service")
	if r := e.ok("consent", "purposes"); !hasLine(r.stdout, "gadgets", "marketing") || !strings.Contains(r.stdout, "similar-products") ||
		!hasLine(r.stdout, "invoices", "service") || !hasLine(r.stdout, "outages", "service") {
		t.Errorf("consent purposes: %s", r.stdout)
	}
	e.ok("import", e.file("s.csv", "email,phone\ncara@gmail.com,+49301234569\n"), "--source-type", "shop-soft-opt-in")
	if v := checkJSON(t, e, "--email", "cara@gmail.com", "--purpose", "gadgets"); !v.Allowed || v.Basis != "soft opt-in" {
		t.Errorf("soft opt-in for a similar-products purpose: %+v", v)
	}
	if v := checkJSON(t, e, "--email", "cara@gmail.com", "--purpose", "offers"); v.Allowed || !hasRule(v, "soi-02") {
		t.Errorf("soft opt-in for a plain marketing purpose: %+v", v)
	}
	for _, p := range []string{"invoices", "outages"} {
		e.ok("consent", "add", "--email", "cara@gmail.com", "--purpose", p, "--action", "objected", "--basis", "contract")
	}
	if v := checkJSON(t, e, "--email", "cara@gmail.com", "--purpose", "invoices"); v.Allowed || !hasRule(v, "svc-02") {
		t.Errorf("service purpose after an objection: %+v", v)
	}
	if v := checkJSON(t, e, "--email", "cara@gmail.com", "--purpose", "outages"); !v.Allowed || !hasRule(v, "svc-03") {
		t.Errorf("essential purpose after an objection: %+v", v)
	}
}
