package web

import (
	"encoding/csv"
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/access"
	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/reporting"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/track"
)

// xssLink is a clicked link that must be shown escaped and downloaded neutralised.
const xssLink = `https://example.com/?q=<script>alert(3)</script>&x="y"`

// reportFixture adds to the UI fixture (two DE contacts from an api source, one with consent,
// one do-not-contact entry) an unsubscribed US contact from a second source with a withdrawn
// consent, a late do-not-contact entry and clicks on two links of the campaign.
func reportFixture(t *testing.T, st *store.Store) *uiFixture {
	f := newUIFixture(t, st)
	f.srv.cfg.Reporting = reporting.New(st, nil)
	ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: f.ws, Type: "purchased-list", Description: "bought"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: f.ws, Email: "us@example.net", EmailCanonical: "us@example.net",
		Country: "US", FirstSourceID: src.ID, Status: contact.StatusUnsubscribed}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []consent.Action{consent.Granted, consent.Withdrawn} {
		if _, err := f.srv.cfg.Consents.Record(ctx, consent.Entry{WorkspaceID: f.ws, ContactID: c.ID, Purpose: "newsletter",
			Channel: consent.Email, Action: a, Basis: consent.BasisConsent, Actor: "test",
			Evidence: consent.Evidence{Wording: "Yes, please", Timestamp: time.Now().Add(-time.Hour)}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := f.srv.cfg.Suppressions.(*suppress.Service).Suppress(ctx, f.ws, []suppress.Intake{{Value: "late@example.com",
		Reason: "request-email", By: "test", ReceivedAt: time.Now().Add(-30 * 24 * time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	for i, u := range []string{xssLink, xssLink, "=HYPERLINK(\"http://evil\")", "https://example.com/a"} {
		if err := st.RecordEvent(ctx, track.Event{Workspace: f.ws, Campaign: f.campaign, Contact: f.contact.ID, Kind: track.EventClick,
			At: time.Now().Add(-time.Duration(i) * time.Minute), URL: u}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// pageTable reads the rows of a report table (<table id="rows-ID">) as text.
func pageTable(t *testing.T, body, id string) [][]string {
	t.Helper()
	start := strings.Index(body, `<table id="rows-`+id+`"`)
	if start < 0 {
		t.Fatalf("no table %s in\n%s", id, body)
	}
	tb := body[start:]
	tb = tb[:strings.Index(tb, "</table>")]
	cell := regexp.MustCompile(`(?s)<t[hd][^>]*>(.*?)</t[hd]>`)
	var rows [][]string
	for _, tr := range strings.Split(tb, "<tr>")[1:] {
		var row []string
		for _, m := range cell.FindAllStringSubmatch(tr, -1) {
			row = append(row, html.UnescapeString(m[1]))
		}
		rows = append(rows, row)
	}
	return rows
}

// csvTable downloads a report table as CSV.
func csvTable(t *testing.T, f *uiFixture, path, id, session string) [][]string {
	t.Helper()
	r := f.do("GET", path+"?csv="+id, session, nil, nil)
	body := bodyOf(t, r)
	if r.StatusCode != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv %s %s: %d %s %s", path, id, r.StatusCode, r.Header.Get("Content-Type"), body)
	}
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("csv %s %s: %v\n%s", path, id, err, body)
	}
	return recs
}

// sameAsPage fails unless the CSV (header and rows) is the page's table, cell by cell; a
// cell the CSV neutralised (a leading quote before = + - @) counts as the same.
func sameAsPage(t *testing.T, what string, page, file [][]string) {
	t.Helper()
	if len(page) != len(file) {
		t.Fatalf("%s: page has %d rows, CSV %d:\npage %q\ncsv  %q", what, len(page), len(file), page, file)
	}
	for i := range page {
		want := slices.Clone(page[i])
		for j := range want {
			want[j] = contact.NeutralizeCell(want[j])
		}
		if !slices.Equal(want, file[i]) {
			t.Errorf("%s row %d: page %q, CSV %q", what, i, want, file[i])
		}
	}
}

// TestUIReports on both engines: each report shows the right figures on a small fixture
// (before and after the background count), each table's CSV is the page's table, and data
// from outside (link addresses, campaign names) is escaped on the page and neutralised in CSV.
func TestUIReports(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := reportFixture(t, st)
		id := f.login("owner@example.com", "")
		today := time.Now().UTC().Format(time.DateOnly)

		// Audience, read live (no count yet), then counted: the same figures.
		for _, counted := range []bool{false, true} {
			if counted {
				if n, err := f.srv.cfg.Reporting.CountAll(t.Context(), time.Now()); err != nil || n < 1 {
					t.Fatalf("CountAll = %d, %v", n, err)
				}
			}
			code, b := f.page("/ui/reports/audience", id)
			if code != 200 {
				t.Fatalf("audience: %d %s", code, b)
			}
			status := pageTable(t, b, "status")
			want := [][]string{{"Status", "Contacts"}, {"active", "2"}, {"unsubscribed", "1"}, {"bounced", "0"}, {"blocked", "0"}, {"total", "3"}}
			if !slices.EqualFunc(status, want, slices.Equal) {
				t.Errorf("counted %v: status %q, want %q", counted, status, want)
			}
			days := pageTable(t, b, "days")
			if last := days[len(days)-1]; last[0] != today || last[1] != "3" {
				t.Errorf("counted %v: today %q", counted, last)
			}
			mustContain(t, "audience", b, `<svg`, `role="img"`, `href="/ui/reports/audience?csv=weeks"`)
			if counted != strings.Contains(b, "Counted at") {
				t.Errorf("counted %v: note %s", counted, b[strings.Index(b, `id="report-note"`):][:200])
			}
			for _, tb := range []string{"status", "weeks", "days"} {
				sameAsPage(t, "audience "+tb, pageTable(t, b, tb), csvTable(t, f, "/ui/reports/audience", tb, id))
			}
		}
		// A contact added after the count shows at once (read above the count by primary key).
		ctx := audit.WithActor(t.Context(), audit.Actor{Kind: audit.CLI, ID: "test"})
		if _, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: f.ws, Email: "new@example.com", EmailCanonical: "new@example.com",
			FirstSourceID: f.contact.FirstSourceID, Status: contact.StatusBounced}, nil); err != nil {
			t.Fatal(err)
		}
		_, b := f.page("/ui/reports/audience", id)
		if got := pageTable(t, b, "status"); got[3][1] != "1" || got[5][1] != "4" {
			t.Errorf("after a new contact: %q", got)
		}
		mustContain(t, "audience", b, "plus 1 contacts added since")

		// Consent coverage: DE api contacts (one of two covered), the US one withdrawn.
		code, b := f.page("/ui/reports/consent", id)
		if code != 200 {
			t.Fatalf("coverage: %d %s", code, b)
		}
		cov := pageTable(t, b, "coverage")
		wantCov := [][]string{{"Source type", "Jurisdiction", "Rule", "Contacts", "With consent in force", "Share"},
			{"api", "Germany", "jur-de", "2", "1", "50.0 %"}, {"purchased-list", "United States", "jur-us", "1", "0", "0.0 %"}}
		if !slices.EqualFunc(cov, wantCov, slices.Equal) {
			t.Errorf("coverage %q, want %q", cov, wantCov)
		}
		sameAsPage(t, "coverage", cov, csvTable(t, f, "/ui/reports/consent", "coverage", id))

		// Do-not-contact intake: two entries in the window, the one received 30 days ago late.
		code, b = f.page("/ui/reports/dnc", id)
		if code != 200 {
			t.Fatalf("dnc: %d %s", code, b)
		}
		weeks := pageTable(t, b, "weeks")
		var received, late int
		for _, w := range weeks[1:] {
			var r, l int
			fmt.Sscan(w[1], &r)
			fmt.Sscan(w[2], &l)
			received, late = received+r, late+l
		}
		if received != 2 || late != 1 {
			t.Errorf("dnc weeks: received %d late %d: %q", received, late, weeks)
		}
		lateRows := pageTable(t, b, "late")
		if len(lateRows) != 2 || lateRows[1][1] != "email" || lateRows[1][2] != "request-email" {
			t.Errorf("late entries %q", lateRows)
		}
		if strings.Contains(b, "late@example.com") {
			t.Error("the DNC report shows an address")
		}
		sameAsPage(t, "dnc weeks", weeks, csvTable(t, f, "/ui/reports/dnc", "weeks", id))
		sameAsPage(t, "dnc late", lateRows, csvTable(t, f, "/ui/reports/dnc", "late", id))

		// A campaign over time: its hour, its links (escaped), the CSV neutralised.
		path := fmt.Sprintf("/ui/reports/campaigns/%d", f.campaign)
		code, b = f.page(path, id)
		if code != 200 {
			t.Fatalf("campaign report: %d %s", code, b)
		}
		if strings.Contains(b, "<script>alert(3)") || strings.Contains(b, "June <news>") {
			t.Fatal("campaign report not escaped")
		}
		mustContain(t, "campaign report", b, "June &lt;news&gt;", "&lt;script&gt;alert(3)&lt;/script&gt;")
		links := pageTable(t, b, "links")
		if len(links) != 4 || links[1][0] != xssLink || links[1][1] != "2" || links[1][2] != "1" {
			t.Errorf("links %q", links)
		}
		hours := pageTable(t, b, "hours")
		sum := make([]int, 8)
		for _, h := range hours[1:] {
			for i := 1; i < len(h); i++ {
				var n int
				fmt.Sscan(h[i], &n)
				sum[i] += n
			}
		}
		if !slices.Equal(sum, []int{0, 1, 1, 0, 0, 0, 0, 4}) { // sent, failed, …, clicked (machines' left out)
			t.Errorf("hours %q", hours)
		}
		file := csvTable(t, f, path, "links", id)
		sameAsPage(t, "links", links, file)
		if !slices.ContainsFunc(file, func(r []string) bool { return strings.HasPrefix(r[0], "'=HYPERLINK") }) {
			t.Errorf("formula not neutralised: %q", file)
		}
		sameAsPage(t, "hours", hours, csvTable(t, f, path, "hours", id))

		// The index lists the reports and the campaign; an unknown table is a 404.
		_, b = f.page("/ui/reports", id)
		mustContain(t, "reports", b, `href="/ui/reports/audience"`, `href="/ui/reports/consent"`, `href="/ui/reports/dnc"`,
			fmt.Sprintf(`href="/ui/reports/campaigns/%d"`, f.campaign), `aria-current="page"`)
		if code, _ := f.page("/ui/reports/audience?csv=nope", id); code != 404 {
			t.Errorf("unknown table: %d", code)
		}

		// The dashboard's panels.
		_, b = f.page("/ui/", id)
		mustContain(t, "dashboard", b, "Audience by status", "Do-not-contact intake", "1 of 2 entries", `id="audience-status"`)
	})
}

// TestUIReportsRoles: a page is opened only by the roles that may read its API route, and
// the menu shows Reports only to them.
func TestUIReportsRoles(t *testing.T) {
	engines(t, func(t *testing.T, st *store.Store) {
		f := reportFixture(t, st)
		for _, role := range []string{"owner", "read-only", "agent", "marketer"} {
			id := f.login(role+"@example.com", "")
			r := f.do("GET", "/ui/", id, nil, nil)
			dash := bodyOf(t, r)
			for path, route := range map[string]string{"/ui/reports/audience": uiContactsRoute, "/ui/reports/dnc": uiDNCRoute,
				fmt.Sprintf("/ui/reports/campaigns/%d", f.campaign): uiReportRoute} {
				code, _ := f.page(path, id)
				allowed := allowsRole(route, role)
				if allowed != (code == 200) || !allowed && code != 403 {
					t.Errorf("%s %s: %d (allowed %v)", role, path, code, allowed)
				}
			}
			if allowsRole(uiContactsRoute, role) != strings.Contains(dash, `href="/ui/reports"`) {
				t.Errorf("%s: menu %v", role, strings.Contains(dash, `href="/ui/reports"`))
			}
			if allowsRole(uiDNCRoute, role) != strings.Contains(dash, "Do-not-contact intake") {
				t.Errorf("%s: DNC panel", role)
			}
		}
	})
}

// allowsRole says whether a user role may read an API route.
func allowsRole(route, role string) bool { return access.Allows(rolesFor(route), role, "GET") }
