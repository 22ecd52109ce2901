package main

import (
	"encoding/json"
	"os/user"
	"strings"
	"testing"
	"time"

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

// TestCLIImpliedConsentSources: the customer-purchase and customer-inquiry source types date
// the purchase or inquiry (evidence purchase_date / inquiry_date, else --collected-at); in
// Canada that gives implied consent for 2 years or 6 months, and a refusal names the date it
// ran out. Bad dates are refused with what to write.
func TestCLIImpliedConsentSources(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("attribute", "add", "country", "--purpose", "jurisdiction")
	now := time.Now().UTC()
	recent, old := now.AddDate(0, -3, 0).Format(time.DateOnly), now.AddDate(-3, 0, 0).Format(time.DateOnly)
	e.ok("import", e.file("p1.csv", "email,country\nfresh@example.ca,CA\n"), "--source-type", "customer-purchase",
		"--evidence", "purchase_date="+recent)
	e.ok("import", e.file("p2.csv", "email,country\nold@example.ca,CA\n"), "--source-type", "customer-purchase",
		"--collected-at", old)
	e.ok("import", e.file("i1.csv", "email,country\nasked@example.ca,CA\n"), "--source-type", "customer-inquiry",
		"--evidence", "inquiry_date="+now.AddDate(0, -8, 0).Format(time.DateOnly))

	if v := checkJSON(t, e, "--email", "fresh@example.ca", "--purpose", "newsletter"); !v.Allowed || !hasRule(v, "casl-01") {
		t.Errorf("purchase 3 months ago in CA: %+v", v)
	}
	end := func(from string, months int) string {
		d, _ := time.Parse(time.DateOnly, from)
		return d.AddDate(0, months, 0).Format(time.DateOnly)
	}
	r := e.run("check", "--email", "old@example.ca", "--purpose", "newsletter")
	if r.code != exitRefused || !strings.Contains(r.stdout, "casl-04") ||
		!strings.Contains(r.stdout, "from the purchase on "+old+" ran out on "+end(old, 24)) {
		t.Errorf("purchase 3 years ago in CA: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	asked := now.AddDate(0, -8, 0).Format(time.DateOnly)
	if v := checkJSON(t, e, "--email", "asked@example.ca", "--purpose", "newsletter"); v.Allowed || !hasRule(v, "casl-04") ||
		!strings.Contains(v.Reasons[len(v.Reasons)-2].Text, "from the inquiry on "+asked+" ran out on "+end(asked, 6)) {
		t.Errorf("inquiry 8 months ago in CA: %+v", v)
	}
	// The purchase makes a customer: service messages are allowed.
	e.ok("consent", "purpose", "add", "receipts", "--service")
	if v := checkJSON(t, e, "--email", "old@example.ca", "--purpose", "receipts"); !v.Allowed || !hasRule(v, "svc-01") {
		t.Errorf("service message to a customer: %+v", v)
	}
	if r := e.ok("source-types"); !strings.Contains(r.stdout, "customer-purchase") || !strings.Contains(r.stdout, "customer-inquiry") {
		t.Errorf("source-types: %s", r.stdout)
	}
	e.fails(1, "is not a date: give it as YYYY-MM-DD", "import", e.file("b.csv", "email\nx@example.ca\n"),
		"--source-type", "customer-purchase", "--evidence", "purchase_date=10/01/2024")
	e.fails(1, "is in the future", "import", e.file("b.csv", "email\nx@example.ca\n"),
		"--source-type", "customer-purchase", "--evidence", "purchase_date="+now.AddDate(0, 1, 0).Format(time.DateOnly))
}

// TestCLIImportSummaryByJurisdiction: the summary of a b2b-public-research import does not
// call US contacts refused when check allows them; it says where contacts are allowed.
func TestCLIImportSummaryByJurisdiction(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("attribute", "add", "country", "--purpose", "jurisdiction")
	f := e.file("b2b.csv", "email,country\njoe@acme.com,US\nhans@firma.de,DE\n")
	r := e.ok("import", f, "--source-type", "b2b-public-research")
	if strings.Contains(r.stdout, "NOT mailable") || strings.Contains(r.stdout, "refused: source") ||
		!strings.Contains(r.stdout, "allowed:  United States (opt-out regime)") || !strings.Contains(r.stdout, "refused:  EU/EEA (default), Germany") {
		t.Errorf("import summary:\n%s", r.stdout)
	}
	sum := e.importJSON(f, "--source-type", "b2b-public-research")
	sp := sum.SourcePolicy
	if sp == nil || sp.Marketing != "conditional" || len(sp.ByJurisdiction) == 0 {
		t.Fatalf("summary source policy: %+v", sp)
	}
	for _, j := range sp.ByJurisdiction {
		if j.ID == "jur-us" && (j.Outcome != "allowed" || j.Basis != "opt-out regime") ||
			j.ID == "jur-de" && j.Outcome != "refused" || j.ID == "jur-uk" && j.Outcome != "legitimate-interest" {
			t.Errorf("by jurisdiction: %+v", j)
		}
	}
	// check agrees with the summary for each contact.
	if v := checkJSON(t, e, "--email", "joe@acme.com", "--purpose", "newsletter"); !v.Allowed || v.Jurisdiction != "jur-us" {
		t.Errorf("check of the US contact: %+v", v)
	}
	if v := checkJSON(t, e, "--email", "hans@firma.de", "--purpose", "newsletter"); v.Allowed {
		t.Errorf("check of the German contact: %+v", v)
	}
	// A source refused everywhere still says so.
	if r := e.ok("import", e.file("broker.csv", "email\nx@acme.com\n"), "--source-type", "broker-purchase"); !strings.Contains(r.stdout, "NOT mailable") ||
		strings.Contains(r.stdout, "by the contact's jurisdiction") {
		t.Errorf("broker import summary:\n%s", r.stdout)
	}
}

// TestCLIConsentStale: consent stale lists every kind of consent in force older than N days
// (a sign-up card's, a form's, a double opt-in's), not withdrawn ones, and a fresh entry
// takes a consent off the list.
func TestCLIConsentStale(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	e.ok("import", e.file("a.csv", "email\ncard@example.org\nform@example.org\ngone@example.org\nnew@example.org\n"), "--source-type", "signup-cards")
	old := time.Now().UTC().AddDate(0, 0, -90).Format(time.RFC3339)
	for _, m := range []string{"card", "form", "gone"} {
		e.ok("consent", "add", "--email", m+"@example.org", "--purpose", "newsletter", "--wording", "Send me the newsletter", "--at", old)
	}
	e.ok("consent", "add", "--email", "form@example.org", "--purpose", "newsletter", "--action", "confirmed", "--basis", "double-opt-in", "--at", old)
	e.ok("consent", "add", "--email", "gone@example.org", "--purpose", "newsletter", "--action", "withdrawn")
	e.ok("consent", "add", "--email", "new@example.org", "--purpose", "newsletter", "--wording", "Send me the newsletter")
	r := e.ok("consent", "stale", "--days", "60")
	if !hasLine(r.stdout, "1", "card@example.org") || !strings.Contains(r.stdout, "form@example.org") ||
		strings.Contains(r.stdout, "gone@example.org") || strings.Contains(r.stdout, "new@example.org") {
		t.Errorf("consent stale:\n%s", r.stdout)
	}
	// Asked again: a fresh confirmation takes the card off the list.
	e.ok("consent", "add", "--email", "card@example.org", "--purpose", "newsletter", "--action", "confirmed", "--basis", "double-opt-in")
	lines := strings.Split(strings.TrimSpace(e.ok("consent", "stale", "--days", "60", "--json").stdout), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], `"email":"form@example.org"`) || !strings.Contains(lines[0], `"state":"confirmed"`) {
		t.Errorf("consent stale --json after a reconfirmation: %q", lines)
	}
	if r := e.ok("consent", "stale", "--days", "60", "--purpose", "surveys"); !strings.Contains(r.stdout, "(none") {
		t.Errorf("consent stale --purpose surveys: %s", r.stdout)
	}
	e.fails(1, "give 0 or more", "consent", "stale", "--days=-1")
}
