package main

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store/storetest"
)

// TestCLIContactFields: country and contact_kind come in through the import (columns and the
// --country/--contact-kind defaults), decide the jurisdiction and the corporate-or-personal
// judgement of check (which says where each came from), and go out through the export; a bad
// country is an error row saying what to write. On both engines.
func TestCLIContactFields(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			db := ""
			if engine == "postgres" {
				db = storetest.PostgresDSN(t)
			}
			e := newCLI(t, db)
			sum := e.importJSON(e.file("b2b.csv", "email,country,contact_kind\n"+
				"carl@gmail.com,gb,corporate\n"+ // free-mail, but the kind says corporate
				"dora@acme.co.uk,GB,personal\n"+ // a company domain, but the kind says personal
				"erin@acme.co.uk,GB,\n"+ // no kind: guessed from the domain
				"fred@acme.com,US,\n"+ // US without a phone: the field alone gives the jurisdiction
				"bad@acme.com,XX,corporate\n"), "--source-type", "b2b-public-research")
			if sum.Inserted != 4 || sum.Failed != 1 {
				t.Fatalf("summary %+v", sum)
			}
			report, err := os.ReadFile(sum.ReportPath)
			if err != nil || !strings.Contains(string(report),
				`5,country,XX,"unknown country ""XX"": use an ISO 3166-1 two-letter country code`) {
				t.Errorf("error report %q, %v", report, err)
			}
			e.ok("lia", "set", "--purpose", "product-updates", "--purpose-text", "tools for buyers",
				"--necessity", "they choose tools", "--balancing", "low intrusion", "--approved-by", "DPO")
			for _, who := range []string{"carl@gmail.com", "dora@acme.co.uk", "erin@acme.co.uk"} {
				e.ok("li-reason", "set", "--email", who, "--purpose", "product-updates", "--reason", "head of procurement")
			}
			check := func(email string) policy.Eligibility {
				t.Helper()
				r := e.run("check", "--email", email, "--purpose", "product-updates", "--json")
				var got policy.Eligibility
				if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
					t.Fatalf("check %s: exit %d %s %s", email, r.code, r.stdout, r.stderr)
				}
				return got
			}
			if got := check("carl@gmail.com"); !got.Allowed || got.Basis != "legitimate interest" || got.Jurisdiction != "jur-uk" ||
				got.ContactKind != "corporate" || got.ContactKindFrom != "contact" || got.Country != "GB" || got.CountryFrom != "contact" {
				t.Errorf("UK corporate on free-mail: %+v", got)
			}
			if got := check("dora@acme.co.uk"); got.Allowed || !hasRule(got, "li-04") || got.ContactKind != "personal" ||
				got.ContactKindFrom != "contact" {
				t.Errorf("UK personal on a company domain: %+v", got)
			}
			if got := check("erin@acme.co.uk"); !got.Allowed || got.ContactKind != "corporate" || got.ContactKindFrom != "guess" {
				t.Errorf("UK without a kind: %+v", got)
			}
			if got := check("fred@acme.com"); got.Jurisdiction != "jur-us" || got.Country != "US" || got.CountryFrom != "contact" {
				t.Errorf("US by the country field: %+v", got)
			}
			r := e.run("check", "--email", "dora@acme.co.uk", "--purpose", "product-updates")
			if r.code != exitRefused || !strings.Contains(r.stdout, "country: GB (the contact's country field)") ||
				!strings.Contains(r.stdout, "contact kind: personal (the contact's contact_kind field)") {
				t.Errorf("check text: exit %d %s", r.code, r.stdout)
			}

			// The CLI changes one contact's kind (PATCH in the API); bad values say what to write.
			if r := e.ok("contact", "set", "--email", "Dora@acme.co.uk", "--contact-kind", "corporate"); !strings.Contains(r.stdout,
				"dora@acme.co.uk: country GB, contact kind corporate") {
				t.Errorf("contact set: %s", r.stdout)
			}
			if got := check("dora@acme.co.uk"); !got.Allowed || got.ContactKind != "corporate" || got.ContactKindFrom != "contact" {
				t.Errorf("UK personal made corporate: %+v", got)
			}
			e.fails(1, "--country: unknown country", "contact", "set", "--email", "dora@acme.co.uk", "--country", "XX")
			e.fails(1, "not a contact of this workspace", "contact", "set", "--email", "nobody@acme.co.uk", "--country", "GB")
			e.ok("contact", "set", "--email", "dora@acme.co.uk", "--contact-kind", "", "--country", "gb")

			// Defaults for rows without a value; a country column is a field even with
			// --drop-undeclared, and a row's own value wins over the default.
			e.importJSON(e.file("more.csv", "email,country,shoe_size\ngus@acme.de,,42\nhal@acme.fr,fr,43\n"),
				"--source-type", "api", "--country", "de", "--contact-kind", "sole-trader", "--drop-undeclared")
			recs := readCSV(t, e.ok("export").stdout)
			got := map[string]string{}
			for _, rec := range recs[1:] {
				got[rec[0]] = rec[3] + "/" + rec[4]
			}
			want := map[string]string{"carl@gmail.com": "GB/corporate", "dora@acme.co.uk": "GB/", "erin@acme.co.uk": "GB/", "fred@acme.com": "US/",
				"gus@acme.de": "DE/sole_trader", "hal@acme.fr": "FR/sole_trader"}
			for email, w := range want {
				if got[email] != w {
					t.Errorf("export %s = %q, want %q (header %q)", email, got[email], w, recs[0])
				}
			}
			e.fails(1, "--country: unknown country", "import", e.file("c.csv", "email\na@b.org\n"), "--source-type", "api", "--country", "Germany")
			e.fails(1, "--contact-kind: unknown contact kind", "import", e.file("c.csv", "email\na@b.org\n"), "--source-type", "api", "--contact-kind", "company")
		})
	}
}
