package formats

import (
	"errors"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/suppress"
)

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkFile reads a whole file and checks what every reader must hold, whatever the input:
// no panic, rows counted once, canonical values well formed, intakes valid.
func checkFile(t *testing.T, data []byte, opts Options) {
	rd, err := NewReader(strings.NewReader(string(data)), opts)
	if err != nil {
		if err.Error() == "" {
			t.Fatal("empty error")
		}
		return
	}
	rows := 0
	for {
		row, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *contact.RowError
		if err != nil && !errors.As(err, &re) {
			break // fatal: the file cannot be read on
		}
		rows++
		if err != nil {
			if re.Reason == "" {
				t.Fatalf("row error without a reason: %+v", re)
			}
			continue
		}
		checkRow(t, row)
	}
	s := rd.Summary()
	if s.Rows != rows || s.Contacts+s.Failed != s.Rows {
		t.Fatalf("summary %+v after %d rows", s, rows)
	}
	for col, n := range s.Leftover {
		if n <= 0 || col == "" {
			t.Fatalf("leftover %q: %d", col, n)
		}
	}
}

func checkRow(t *testing.T, row Row) {
	c := row.Columns
	for k, v := range c {
		if v == "" || k == "" {
			t.Fatalf("row %d: empty column or value %q=%q", row.Num, k, v)
		}
	}
	for _, k := range []string{ColConsentAt, ColConsentConfirmedAt} {
		if v, ok := c[k]; ok {
			if _, err := time.Parse(time.RFC3339Nano, v); err != nil {
				t.Fatalf("row %d: %s %q: %v", row.Num, k, v, err)
			}
		}
	}
	for _, k := range []string{ColConsentIP, ColConsentConfirmedIP} {
		if v, ok := c[k]; ok {
			if _, err := netip.ParseAddr(v); err != nil {
				t.Fatalf("row %d: %s %q: %v", row.Num, k, v, err)
			}
		}
	}
	if a := c[ColConsentAction]; a != "" && a != ActionGranted && a != ActionConfirmed || a != "" && c[ColConsentAt] == "" {
		t.Fatalf("row %d: consent %v", row.Num, c)
	}
	if cc := c[ColCountry]; cc != "" && (len(cc) != 2 || strings.ToUpper(cc) != cc) {
		t.Fatalf("row %d: country %q", row.Num, cc)
	}
	if st := c[ColStatus]; st != "" {
		if _, err := contact.ParseStatus(st); err != nil {
			t.Fatalf("row %d: %v", row.Num, err)
		}
	}
	for _, in := range row.Intakes {
		if !suppress.Reason(in.Reason).Valid() || in.Value == "" || in.Value != c[ColEmail] || in.Scope != "email" {
			t.Fatalf("row %d: intake %+v", row.Num, in)
		}
		if _, err := suppress.ParseScope(in.Scope); err != nil {
			t.Fatalf("row %d: %v", row.Num, err)
		}
	}
}

func FuzzMailchimp(f *testing.F) {
	seed(f, "mailchimp_subscribed.csv", "mailchimp_unsubscribed.csv", "mailchimp_cleaned.csv")
	f.Add([]byte("Email Address,MEMBER_RATING,OPTIN_TIME,OPTIN_IP,CONFIRM_TIME,CONFIRM_IP,LAST_CHANGED,CC\na,1,0000-00-00,::1,2023-01-01 00:00:00 +0000 UTC,[::1],x,ß\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFile(t, data, Options{From: Mailchimp, Read: contact.ReadOptions{MaxCellBytes: 4096}})
		checkFile(t, data, Options{})
	})
}

func FuzzListmonk(f *testing.F) {
	seed(f, "listmonk_subscribers.csv", "listmonk_plain.csv")
	f.Add([]byte("uuid,email,name,attributes,status,created_at,updated_at\nu,a@b,n,\"{\"\"country\"\":\"\"de\"\",\"\"\"\":1}\",blocklisted,,2023-01-01 00:00:00 +0000 UTC\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFile(t, data, Options{From: Listmonk, ListStatus: "unsubscribed", Read: contact.ReadOptions{MaxCellBytes: 4096}})
		checkFile(t, data, Options{})
	})
}
