package formats

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/suppress"
)

// readAll reads every row of a file, keeping row errors apart.
func readAll(t *testing.T, r io.Reader, opts Options) (*Reader, []Row, []*contact.RowError) {
	t.Helper()
	rd, err := NewReader(r, opts)
	if err != nil {
		t.Fatal(err)
	}
	var rows []Row
	var bad []*contact.RowError
	for row, err := range rd.All() {
		var re *contact.RowError
		switch {
		case errors.As(err, &re):
			bad = append(bad, re)
		case err != nil:
			t.Fatal(err)
		default:
			rows = append(rows, row)
		}
	}
	return rd, rows, bad
}

func open(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestMailchimpSubscribed(t *testing.T) {
	rd, rows, bad := readAll(t, open(t, "mailchimp_subscribed.csv"), Options{})
	if rd.Format() != Mailchimp || rd.Kind() != "subscribed" || len(bad) != 0 || len(rows) != 5 {
		t.Fatalf("format %s kind %s, %d rows, errors %v", rd.Format(), rd.Kind(), len(rows), bad)
	}
	want := map[string]string{
		"email": "ana.garcia@example.com", "status": "active", "first_name": "Ana", "last_name": "García",
		"country": "ES", "consent_channel": "email", "consent_action": "confirmed",
		"consent_at": "2023-01-31T12:34:56Z", "consent_ip": "203.0.113.7",
		"consent_confirmed_at": "2023-01-31T12:40:02Z", "consent_confirmed_ip": "203.0.113.7",
		"consent_collector": "mailchimp", "Phone Number": "+34 600 123 456",
	}
	if !reflect.DeepEqual(rows[0].Columns, want) {
		t.Errorf("row 1:\n got %v\nwant %v", rows[0].Columns, want)
	}
	if len(rows[0].Intakes) != 0 || rows[0].Num != 1 || rows[0].Raw[0] != "ana.garcia@example.com" {
		t.Errorf("row 1: %+v", rows[0])
	}
	// Sign-up without IP or confirmation: granted.
	if c := rows[1].Columns; c["consent_action"] != "granted" || c["consent_ip"] != "" || c["last_name"] != "Ødegård" || c["consent_confirmed_at"] != "" {
		t.Errorf("row 2: %v", c)
	}
	// Confirmed without a sign-up time: the confirmation is the sign-up time too.
	if c := rows[2].Columns; c["consent_action"] != "confirmed" || c["consent_at"] != "2021-03-14T01:59:26Z" ||
		c["consent_confirmed_ip"] != "2001:db8::42" || c["first_name"] != "伟" || c["country"] != "" {
		t.Errorf("row 3: %v", c)
	}
	// No times at all (a contact imported into Mailchimp), and a zero time: no consent entry.
	for _, i := range []int{3, 4} {
		if c := rows[i].Columns; c["consent_action"] != "" || c["consent_at"] != "" || c["status"] != "active" {
			t.Errorf("row %d: %v", i+1, c)
		}
	}
	s := rd.Summary()
	if s.Rows != 5 || s.Contacts != 5 || s.WithConsent != 3 || s.NoEvidence != 2 || s.Failed != 0 {
		t.Errorf("summary %+v", s)
	}
	wantLeft := map[string]int{"MEMBER_RATING": 5, "LATITUDE": 1, "LONGITUDE": 1, "GMTOFF": 1, "DSTOFF": 1,
		"TIMEZONE": 1, "REGION": 1, "LAST_CHANGED": 5, "LEID": 5, "EUID": 5, "NOTES": 1, "TAGS": 1,
		"CC": 1, "OPTIN_IP": 1}
	if !reflect.DeepEqual(s.Leftover, wantLeft) {
		t.Errorf("leftover\n got %v\nwant %v", s.Leftover, wantLeft)
	}
	if s.Assumed != 4 {
		t.Errorf("assumed UTC %d, want 4", s.Assumed)
	}
	cols := rd.Columns()
	if cols[0] != "email" || !contains(cols, "Phone Number") || !contains(cols, "Address") || contains(cols, "LEID") {
		t.Errorf("columns %v", cols)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func TestMailchimpUnsubscribed(t *testing.T) {
	rd, rows, bad := readAll(t, open(t, "mailchimp_unsubscribed.csv"), Options{From: Mailchimp})
	if rd.Kind() != "unsubscribed" || len(bad) != 0 || len(rows) != 2 {
		t.Fatalf("kind %s, rows %d, errors %v", rd.Kind(), len(rows), bad)
	}
	c := rows[0].Columns
	if c["status"] != "unsubscribed" || c["consent_action"] != "confirmed" || c["first_name"] != "Jürgen" {
		t.Errorf("row 1: %v", c)
	}
	want := suppress.Intake{Kind: "email", Value: "gone@example.de", Scope: "email", Reason: "unsubscribe",
		Note:       "Mailchimp: unsubscribed; UNSUB_REASON: NORMAL; UNSUB_REASON_OTHER: too many emails; UNSUB_CAMPAIGN_TITLE: Spring sale; UNSUB_CAMPAIGN_ID: c0ffee",
		ReceivedAt: time.Date(2023, 2, 2, 9, 9, 9, 0, time.UTC), Country: "DE"}
	if len(rows[0].Intakes) != 1 || !reflect.DeepEqual(rows[0].Intakes[0], want) {
		t.Errorf("intake\n got %+v\nwant %+v", rows[0].Intakes, want)
	}
	// No UNSUB_TIME: the entry is still made, its time left to the import (now).
	if in := rows[1].Intakes; len(in) != 1 || !in[0].ReceivedAt.IsZero() || in[0].Note != "Mailchimp: unsubscribed" {
		t.Errorf("row 2 intakes %+v", in)
	}
	s := rd.Summary()
	if s.Intakes[suppress.ReasonUnsubscribe] != 2 || s.Leftover["UNSUB_CAMPAIGN_TITLE"] != 0 {
		t.Errorf("summary %+v", s)
	}
}

func TestMailchimpCleaned(t *testing.T) {
	rd, rows, bad := readAll(t, open(t, "mailchimp_cleaned.csv"), Options{})
	if rd.Kind() != "cleaned" || len(bad) != 0 || len(rows) != 1 {
		t.Fatalf("kind %s, rows %d, errors %v", rd.Kind(), len(rows), bad)
	}
	c := rows[0].Columns
	if c["status"] != "bounced" || c["consent_ip"] != "192.0.2.55" || c["country"] != "US" {
		t.Errorf("row: %v", c)
	}
	in := rows[0].Intakes
	if len(in) != 1 || in[0].Reason != "hard-bounce" || in[0].Scope != "email" ||
		!in[0].ReceivedAt.Equal(time.Date(2024, 12, 31, 23, 59, 59, 0, time.UTC)) ||
		!strings.Contains(in[0].Note, "CLEAN_CAMPAIGN_TITLE: Newsletter #42") {
		t.Errorf("intakes %+v", in)
	}
	if rd.Summary().Intakes[suppress.ReasonHardBounce] != 1 {
		t.Errorf("summary %+v", rd.Summary())
	}
}

func TestMailchimpBadValues(t *testing.T) {
	hdr := "Email Address,First Name,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LAST_CHANGED,Company\n"
	file := hdr +
		"a@example.com,A,1,31/01/2023 12:00,,,,,Acme\n" +
		"b@example.com,B,1,2023-01-31 12:00:00,999.1.1.1,,,,\n" +
		"c@example.com,C,1,2023-01-31T12:00:00+01:00,10.0.0.1,2023-01-31 13:00:00 +0100,,,\n"
	rd, rows, bad := readAll(t, strings.NewReader(file), Options{})
	if len(bad) != 2 || len(rows) != 1 {
		t.Fatalf("rows %d, errors %v", len(rows), bad)
	}
	if bad[0].Row != 1 || bad[0].Column != "OPTIN_TIME" || !strings.Contains(bad[0].Reason, "read as UTC") {
		t.Errorf("error 1: %+v", bad[0])
	}
	if bad[1].Row != 2 || bad[1].Column != "OPTIN_IP" || bad[1].Value != "999.1.1.1" {
		t.Errorf("error 2: %+v", bad[1])
	}
	c := rows[0].Columns
	if c["consent_at"] != "2023-01-31T11:00:00Z" || c["consent_confirmed_at"] != "2023-01-31T12:00:00Z" {
		t.Errorf("zoned times: %v", c)
	}
	if s := rd.Summary(); s.Failed != 2 || s.Rows != 3 || s.Assumed != 1 {
		t.Errorf("summary %+v", s)
	}
}

func TestListmonk(t *testing.T) {
	rd, rows, bad := readAll(t, open(t, "listmonk_subscribers.csv"), Options{})
	if rd.Format() != Listmonk || len(bad) != 0 || len(rows) != 5 {
		t.Fatalf("format %s, rows %d, errors %v", rd.Format(), len(rows), bad)
	}
	want := map[string]string{"email": "priya@example.in", "name": "Priya Raman", "status": "active",
		"city": "Bengaluru", "country": "IN", "plan": "3", "vip": "true", "consent_channel": "email",
		"consent_action": "confirmed", "consent_at": "2024-03-01T09:30:00.123456Z", "consent_collector": "listmonk"}
	if !reflect.DeepEqual(rows[0].Columns, want) {
		t.Errorf("row 1\n got %v\nwant %v", rows[0].Columns, want)
	}
	if c := rows[1].Columns; c["consent_action"] != "granted" || c["consent_at"] != "2024-04-01T10:00:00Z" || c["name"] != "Noël Dupré" {
		t.Errorf("row 2: %v", c)
	}
	if in := rows[2].Intakes; rows[2].Columns["status"] != "blocked" || len(in) != 1 || in[0].Reason != "manual" ||
		!in[0].ReceivedAt.Equal(time.Date(2023, 6, 15, 18, 45, 0, 0, time.UTC)) {
		t.Errorf("row 3: %v %+v", rows[2].Columns, in)
	}
	if in := rows[3].Intakes; rows[3].Columns["status"] != "unsubscribed" || len(in) != 1 || in[0].Reason != "unsubscribe" ||
		rows[3].Columns["email"] != "left@example.com" {
		t.Errorf("row 4: %v %+v", rows[3].Columns, in)
	}
	if c := rows[4].Columns; c["status"] != "" || len(rows[4].Intakes) != 0 {
		t.Errorf("row 5 (disabled): %v", c)
	}
	s := rd.Summary()
	wantLeft := map[string]int{"uuid": 5, "attributes.tags": 1, "attributes.email": 1, "status": 1,
		"created_at": 3, "updated_at": 3}
	if !reflect.DeepEqual(s.Leftover, wantLeft) {
		t.Errorf("leftover\n got %v\nwant %v", s.Leftover, wantLeft)
	}
	if s.WithConsent != 2 || s.Intakes[suppress.ReasonUnsubscribe] != 1 || s.Intakes[suppress.ReasonManual] != 1 || s.NoEvidence != 2 {
		t.Errorf("summary %+v", s)
	}
}

func TestListmonkListStatusOption(t *testing.T) {
	_, rows, bad := readAll(t, open(t, "listmonk_plain.csv"), Options{From: Listmonk, ListStatus: "Confirmed"})
	if len(bad) != 0 || len(rows) != 3 {
		t.Fatalf("rows %d, errors %v", len(rows), bad)
	}
	for _, r := range rows {
		if r.Columns["consent_action"] != "confirmed" {
			t.Errorf("row %d: %v", r.Num, r.Columns)
		}
	}
	if _, err := NewReader(open(t, "listmonk_plain.csv"), Options{ListStatus: "maybe"}); err == nil ||
		!strings.Contains(err.Error(), "unconfirmed, confirmed or unsubscribed") {
		t.Errorf("bad list status: %v", err)
	}
}

func TestListmonkBadValues(t *testing.T) {
	file := "uuid,email,name,attributes,status,created_at,updated_at,subscription_status\n" +
		"u1,a@example.com,A,\"[1,2]\",enabled,,,\n" +
		"u2,b@example.com,B,{},enabled,yesterday,,confirmed\n" +
		"u3,c@example.com,C,{},sleeping,,,\n" +
		"u4,d@example.com,D,{},enabled,,,pending\n" +
		"u5,e@example.com,E,\"{\"\"a\"\": 1} x\",enabled,,,\n"
	_, rows, bad := readAll(t, strings.NewReader(file), Options{})
	if len(rows) != 0 || len(bad) != 5 {
		t.Fatalf("rows %v, errors %v", rows, bad)
	}
	for i, col := range []string{"attributes", "created_at", "status", "subscription_status", "attributes"} {
		if bad[i].Column != col || bad[i].Row != i+1 {
			t.Errorf("error %d: %+v, want column %s", i+1, bad[i], col)
		}
	}
}

func TestHeaders(t *testing.T) {
	for _, tc := range []struct {
		name, file string
		opts       Options
		want       string
	}{
		{"plain contact file", "email,name\na@example.com,A\n", Options{}, "is not an export clearlist can read"},
		{"mailchimp missing columns", "Email Address,OPTIN_TIME\na@example.com,\n", Options{From: Mailchimp}, "it lacks MEMBER_RATING, OPTIN_IP, CONFIRM_TIME"},
		{"listmonk given mailchimp", "uuid,email,name,attributes,status,created_at,updated_at\n", Options{From: Mailchimp}, "is not a Mailchimp export"},
		{"unknown sender", "email\n", Options{From: "sendgrid"}, "use --from mailchimp|listmonk"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tc.file), tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to say %q", err, tc.want)
			}
		})
	}
	// Header names are matched without regard to case or surrounding space.
	f, err := Detect([]string{" email address ", "member_rating", "optin_time", "OPTIN_IP", "CONFIRM_TIME", "CONFIRM_IP", "LAST_CHANGED"})
	if err != nil || f != Mailchimp {
		t.Errorf("Detect = %s, %v", f, err)
	}
}

func TestMergeFieldClash(t *testing.T) {
	file := "Email Address,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LAST_CHANGED,Consent At,Country,Status\n" +
		"a@example.com,1,,,,,,2020-01-01,Germany,VIP\n"
	rd, rows, _ := readAll(t, strings.NewReader(file), Options{})
	if len(rows) != 1 || rows[0].Columns["consent_at"] != "" || rows[0].Columns["country"] != "" || rows[0].Columns["status"] != "active" {
		t.Fatalf("rows %+v", rows)
	}
	if l := rd.Summary().Leftover; l["Consent At"] != 1 || l["Country"] != 1 || l["Status"] != 1 {
		t.Errorf("leftover %v", l)
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in            string
		want          string
		zero, assumed bool
	}{
		{"2023-01-31 12:34:56", "2023-01-31T12:34:56Z", false, true},
		{" 2023-01-31 12:34:56\u00a0", "2023-01-31T12:34:56Z", false, true},
		{"2023-01-31", "2023-01-31T00:00:00Z", false, true},
		{"2023-01-31T12:34:56-05:00", "2023-01-31T17:34:56Z", false, false},
		{"2024-03-01 09:30:00.123456 +0000 UTC", "2024-03-01T09:30:00.123456Z", false, false},
		{"2024-03-01 09:30:00 +0530 IST m=+0.000001", "2024-03-01T04:00:00Z", false, false},
		{"0000-00-00 00:00:00", "", true, false},
		{"0001-01-01 00:00:00 +0000 UTC", "", true, false},
		{"", "", true, false},
	} {
		got, zero, assumed, ok := parseTime(tc.in)
		s := ""
		if !got.IsZero() {
			s = formatTime(got)
		}
		if !ok || s != tc.want || zero != tc.zero || assumed != tc.assumed {
			t.Errorf("parseTime(%q) = %s zero=%v assumed=%v ok=%v", tc.in, s, zero, assumed, ok)
		}
	}
	for _, bad := range []string{"31/01/2023", "1969-12-31 23:59:59", "0000-01-01T00:30:00+01:00", "1/31/2023 12:00 PM", "yesterday", "2023-02-30 00:00:00"} {
		if _, _, _, ok := parseTime(bad); ok {
			t.Errorf("parseTime(%q) accepted", bad)
		}
	}
}

func TestSummaryLines(t *testing.T) {
	rd, _, _ := readAll(t, open(t, "mailchimp_unsubscribed.csv"), Options{})
	got := strings.Join(rd.Summary().Lines(), "\n")
	for _, want := range []string{"mailchimp unsubscribed export: 2 rows, 2 contacts", "2 do-not-contact entries (unsubscribe)",
		"read as UTC", "not taken in: LEID (2 values)"} {
		if !strings.Contains(got, want) {
			t.Errorf("summary lines lack %q:\n%s", want, got)
		}
	}
}

func TestSpreadsheetResaved(t *testing.T) {
	// Re-saved by a spreadsheet: semicolons, CRLF, a no-break space after a time, an
	// IPv6 address in brackets; a row error keeps the record's cells.
	file := "Email Address;First Name;MEMBER_RATING;OPTIN_TIME;OPTIN_IP;CONFIRM_TIME;CONFIRM_IP;LAST_CHANGED\r\n" +
		"x@example.com;Ça;2;2023-01-31 12:34:56\u00a0;[2001:db8::1];;;\r\n" +
		"y@example.com;Y;2;2023-13-01 00:00:00;;;;\r\n"
	_, rows, bad := readAll(t, strings.NewReader(file), Options{From: Mailchimp})
	if len(rows) != 1 || rows[0].Columns["consent_ip"] != "2001:db8::1" || rows[0].Columns["first_name"] != "Ça" {
		t.Fatalf("rows %+v", rows)
	}
	if len(bad) != 1 || bad[0].Row != 2 || bad[0].Column != "OPTIN_TIME" {
		t.Fatalf("errors %v", bad)
	}
	rd, err := NewReader(strings.NewReader(file), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rd.Next()
	row, err := rd.Next()
	if err == nil || row.Num != 2 || len(row.Raw) != 8 || row.Raw[0] != "y@example.com" {
		t.Errorf("bad row %+v, %v", row, err)
	}
}
