package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"
)

// showConsent is `consent show --email email --json`.
func (e *cliEnv) showConsent(email string) consentShow {
	e.t.Helper()
	var show consentShow
	if err := json.Unmarshal([]byte(e.ok("consent", "show", "--email", email, "--json").stdout), &show); err != nil {
		e.t.Fatal(err)
	}
	return show
}

// TestCLIImportConsentBadInput imports, through the real binary, consent times in the usual
// export formats (with a zone: kept; without: taken as UTC, which the summary says), and rows
// the import must refuse, each with a report row that says what to do: an invalid IP, a time
// in the future, a purpose that does not exist. A person's withdrawal and later grant in one
// file: the second row is reported, saying how to import it, and importing it as the
// report says records it after the first.
func TestCLIImportConsentBadInput(t *testing.T) {
	t.Parallel()
	e := newCLI(t, "")
	f := e.file("export.csv", "email,consent_at,consent_ip,consent_wording,consent_document,consent_purpose,consent_action\n"+
		"zoned@example.org,2024-03-01T09:30:00+01:00,203.0.113.5,Yes,binder 1,,\n"+
		"spacezone@example.org,2024-03-01 09:30:00 +0100,2001:db8::1,Yes,binder 1,,\n"+
		"excel@example.org,2024-03-01 09:30,,Yes,binder 1,,\n"+
		"german@example.org,01.03.2024 09:30,,Yes,binder 1,,\n"+
		"us@example.org,03/25/2024,,Yes,binder 1,,\n"+
		"badip@example.org,2024-03-01,300.1.2.3,Yes,binder 1,,\n"+
		"badip6@example.org,2024-03-01,2001:db8::zz,Yes,binder 1,,\n"+
		"future@example.org,2999-01-01,,Yes,binder 1,,\n"+
		"purpose@example.org,2024-03-01,,Yes,binder 1,lottery,\n"+
		"seq@example.org,2024-03-01,,Yes,binder 1,,withdrawn\n"+
		"seq@example.org,2024-04-01,,Yes again,binder 2,,granted\n")
	r := e.ok("import", f, "--source-type", "business-cards", "--consent-purpose", "newsletter")
	if !strings.Contains(r.stdout, "taken as UTC") || !strings.Contains(r.stdout, "consent entries:    6") {
		t.Errorf("summary: %s", r.stdout)
	}
	report, err := os.ReadFile(f + ".errors.csv")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`""300.1.2.3"" is not an IP address`, `""2001:db8::zz"" is not an IP address`, "in the future",
		`unknown purpose ""lottery""`, "duplicate of row 10 in this file",
		"this row's consent (granted newsletter/email) is not recorded", "import the later steps of a person's consent from a second file"} {
		if !strings.Contains(string(report), want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	for email, at := range map[string]string{"zoned@example.org": "2024-03-01T08:30:00Z", "spacezone@example.org": "2024-03-01T08:30:00Z",
		"excel@example.org": "2024-03-01T09:30:00Z", "german@example.org": "2024-03-01T09:30:00Z", "us@example.org": "2024-03-25T00:00:00Z"} {
		show := e.showConsent(email)
		if len(show.Entries) != 1 || show.Entries[0].Evidence.Timestamp.UTC().Format(time.RFC3339) != at {
			t.Errorf("%s: %+v; want one entry at %s", email, show.Entries, at)
		}
	}
	for _, email := range []string{"badip@example.org", "badip6@example.org", "future@example.org", "purpose@example.org"} {
		e.fails(1, "not found", "consent", "show", "--email", email)
	}
	if show := e.showConsent("seq@example.org"); len(show.Entries) != 1 || show.Entries[0].Action != "withdrawn" {
		t.Fatalf("seq after the first file: %+v", show.Entries)
	}
	// As the report says: the later step from a second file.
	e.ok("import", e.file("later.csv", "email,consent_at,consent_wording,consent_document,consent_action\n"+
		"seq@example.org,2024-04-01,Yes again,binder 2,granted\n"), "--source-type", "business-cards", "--consent-purpose", "newsletter")
	show := e.showConsent("seq@example.org")
	if len(show.Entries) != 2 || show.Entries[1].Action != "granted" || len(show.States) != 1 || show.States[0].State != "granted" {
		t.Fatalf("seq after the second file: %+v %+v", show.Entries, show.States)
	}
	e.ok("check", "--email", "seq@example.org", "--purpose", "newsletter")
	if r := e.ok("consent", "verify"); !strings.HasPrefix(r.stdout, "chain intact: 7 entries") {
		t.Errorf("verify: %s", r.stdout)
	}
}
