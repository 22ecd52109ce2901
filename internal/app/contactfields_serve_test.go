package app

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/policy"
	"github.com/clearlist/clearlist/internal/store"
)

// TestServeContactFields: country and contact_kind through the contact API (POST, PATCH) and
// the import API, read by the eligibility API: a UK contact judged corporate or personal by
// its kind, a US contact's jurisdiction from its country field, a declared country attribute
// still read for older data, bad values answered with what to write. On both engines.
func TestServeContactFields(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		a.Cfg.DataDir = t.TempDir()
		declare(t, a, "country") // the attribute of older data
		_, token, err := a.st.CreateToken(ctx, a.Workspace.ID, "test")
		if err != nil {
			t.Fatal(err)
		}
		base, stop := startServer(t, a)
		call := func(method, path, ctype, body string) (int, string) {
			return apiCall(t, method, base+path, token, ctype, body)
		}
		create := func(body string) contact.Contact {
			t.Helper()
			code, out := call("POST", "/api/v1/contacts", "application/json", body)
			var c contact.Contact
			if err := json.Unmarshal([]byte(out), &c); code != http.StatusCreated || err != nil {
				t.Fatalf("create %s: %d %s", body, code, out)
			}
			return c
		}
		src := `"source":{"source_type":"b2b-public-research"}`
		carl := create(`{"email":"carl@gmail.com","country":"gb","contact_kind":"corporate",` + src + `}`)
		if carl.Country != "GB" || carl.Kind != contact.KindCorporate {
			t.Fatalf("created %+v", carl)
		}
		dora := create(`{"email":"dora@acme.co.uk","country":"GB","contact_kind":"personal",` + src + `}`)
		create(`{"email":"fred@acme.com","country":"US",` + src + `}`)
		create(`{"email":"gil@acme.com","attributes":{"country":"us"},` + src + `}`)
		for body, want := range map[string]string{
			`{"email":"x@acme.com","country":"XX",` + src + `}`:           `"location":"body.country"`,
			`{"email":"x@acme.com","country":"Germany",` + src + `}`:      "ISO 3166-1 two-letter country code",
			`{"email":"x@acme.com","contact_kind":"company",` + src + `}`: `"location":"body.contact_kind"`,
		} {
			if code, out := call("POST", "/api/v1/contacts", "application/json", body); code != 422 || !strings.Contains(out, want) {
				t.Errorf("create %s: %d %s", body, code, out)
			}
		}

		if _, err := a.Consents.SetLIA(ctx, consent.LIA{WorkspaceID: a.Workspace.ID, Purpose: "product-updates", PurposeText: "tools",
			Necessity: "they choose tools", Balancing: "low intrusion", ApprovedBy: "DPO"}); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"carl@gmail.com", "dora@acme.co.uk"} {
			if _, _, err := a.Consents.SetLIReasonByEmail(ctx, who, consent.LIReason{WorkspaceID: a.Workspace.ID,
				Purpose: "product-updates", Reason: "buyer", RecordedBy: "test"}); err != nil {
				t.Fatal(err)
			}
		}
		elig := func(email string) policy.Eligibility {
			t.Helper()
			code, out := call("GET", "/api/v1/eligibility?"+url.Values{"email": {email}, "purpose": {"product-updates"}}.Encode(), "", "")
			var e policy.Eligibility
			if err := json.Unmarshal([]byte(out), &e); code != 200 || err != nil {
				t.Fatalf("eligibility %s: %d %s", email, code, out)
			}
			return e
		}
		if e := elig("carl@gmail.com"); !e.Allowed || e.ContactKind != "corporate" || e.ContactKindFrom != "contact" || e.Jurisdiction != "jur-uk" {
			t.Errorf("UK corporate: %+v", e)
		}
		if e := elig("dora@acme.co.uk"); e.Allowed || e.ContactKind != "personal" || e.ContactKindFrom != "contact" {
			t.Errorf("UK personal: %+v", e)
		}
		if code, out := call("PATCH", fmt.Sprintf("/api/v1/contacts/%d", dora.ID), "application/json", `{"contact_kind":"corporate"}`); code != 200 ||
			!strings.Contains(out, `"contact_kind":"corporate"`) || !strings.Contains(out, `"country":"GB"`) {
			t.Fatalf("patch kind: %d %s", code, out)
		}
		if e := elig("dora@acme.co.uk"); !e.Allowed || e.ContactKind != "corporate" {
			t.Errorf("UK personal made corporate: %+v", e)
		}
		if code, out := call("PATCH", fmt.Sprintf("/api/v1/contacts/%d", dora.ID), "application/json", `{"country":"gbr"}`); code != 422 ||
			!strings.Contains(out, "body.country") {
			t.Errorf("patch bad country: %d %s", code, out)
		}
		if e := elig("fred@acme.com"); e.Jurisdiction != "jur-us" || e.Country != "US" || e.CountryFrom != "contact" {
			t.Errorf("US by the field: %+v", e)
		}
		if e := elig("gil@acme.com"); e.Jurisdiction != "jur-us" || e.CountryFrom != "attribute" {
			t.Errorf("US by the older attribute: %+v", e)
		}

		// The import API: a country column, defaults for rows without values, a bad row.
		if code, out := call("POST", "/api/v1/imports?source_type=api&country=Germany", "text/csv", "email\na@b.org\n"); code != 422 ||
			!strings.Contains(out, "query.country") {
			t.Fatalf("bad country parameter: %d %s", code, out)
		}
		if code, out := call("POST", "/api/v1/imports?source_type=api&contact_kind=company", "text/csv", "email\na@b.org\n"); code != 422 ||
			!strings.Contains(out, "query.contact_kind") {
			t.Fatalf("bad contact_kind parameter: %d %s", code, out)
		}
		code, out := call("POST", "/api/v1/imports?source_type=api&country=us&contact_kind=sole_trader", "text/csv",
			"email,country,contact_kind\nhal@acme.com,,\nivy@acme.com,ZZ,\njo@acme.com,gb,corporate\n")
		var im store.Import
		if err := json.Unmarshal([]byte(out), &im); code != http.StatusAccepted || err != nil {
			t.Fatalf("upload: %d %s", code, out)
		}
		for deadline := time.Now().Add(20 * time.Second); im.Status != store.ImportDone; time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) || im.Status == store.ImportFailed {
				t.Fatalf("import did not finish: %+v", im)
			}
			_, out = call("GET", fmt.Sprintf("/api/v1/imports/%d", im.ID), "", "")
			json.Unmarshal([]byte(out), &im)
		}
		if im.Inserted != 2 || im.Failed != 1 {
			t.Fatalf("import %s", out)
		}
		if code, out := call("GET", fmt.Sprintf("/api/v1/imports/%d/errors", im.ID), "", ""); code != 200 || !strings.Contains(out, "unknown country") {
			t.Errorf("error report: %d %s", code, out)
		}
		for email, want := range map[string][2]string{"hal@acme.com": {"US", "sole_trader"}, "jo@acme.com": {"GB", "corporate"}} {
			c, err := a.Contacts.ContactByEmail(ctx, a.Workspace.ID, email)
			if err != nil || c.Country != want[0] || string(c.Kind) != want[1] {
				t.Errorf("%s = %q/%q, %v; want %v", email, c.Country, c.Kind, err, want)
			}
		}
		stop()
	})
}
