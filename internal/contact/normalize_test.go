package contact

import (
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
)

func testSchema(t testing.TB) *Schema {
	t.Helper()
	s, err := NewSchema([]Attribute{
		{Name: "first_name", Type: AttrText, Purpose: "greeting"},
		{Name: "score", Type: AttrNumber, Purpose: "segmenting"},
		{Name: "vip", Type: AttrBool, Purpose: "offers"},
		{Name: "birthday", Type: AttrDate, Purpose: "birthday mail"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCheckColumnsAutoMapping(t *testing.T) {
	n, err := NewNormalizer(NormalizeOptions{Schema: testSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	for _, cols := range [][]string{
		{"email", "phone", "status"},
		{"E-Mail", "Telephone", "Status"},
		{"e_mail", "Mobile"},
		{"Email Address", "mobile phone", "First Name", "SCORE", "vip", "Birthday"},
	} {
		if dropped, err := n.CheckColumns(cols); err != nil || dropped != nil {
			t.Errorf("CheckColumns(%q) = %v, %v", cols, dropped, err)
		}
	}
}

func TestCheckColumnsErrors(t *testing.T) {
	n, err := NewNormalizer(NormalizeOptions{Schema: testSchema(t), Map: Mapping{"Mail": "email", "Ignore Me": "-"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.CheckColumns([]string{"name", "Mail", "company", "Ignore Me"})
	if err == nil {
		t.Fatal("undeclared columns accepted")
	}
	for _, want := range []string{`"name", "company"`, "clearlist attribute add NAME", "--map col=attr", "--drop-undeclared"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	_, err = n.CheckColumns([]string{"first_name", "Mail", "Ignore Me"})
	if err != nil {
		t.Errorf("mapped columns: %v", err)
	}
	for _, tt := range []struct {
		cols []string
		want string
	}{
		{[]string{"first_name", "Ignore Me"}, "--map names column \"mail\""},
		{[]string{"first_name", "Mail", "Ignore Me", "email"}, "both give email"},
	} {
		if _, err := n.CheckColumns(tt.cols); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("CheckColumns(%q) error = %v, want %q", tt.cols, err, tt.want)
		}
	}
	plain, _ := NewNormalizer(NormalizeOptions{})
	if _, err := plain.CheckColumns([]string{"name"}); err == nil || !strings.Contains(err.Error(), "no column holds the e-mail") {
		t.Errorf("no email column: error = %v", err)
	}
}

func TestCheckColumnsDropUndeclared(t *testing.T) {
	n, err := NewNormalizer(NormalizeOptions{Schema: testSchema(t), DropUndeclared: true})
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{"email", "name", "first_name", "company"}
	dropped, err := n.CheckColumns(cols)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"name", "company"}, dropped); diff != "" {
		t.Errorf("dropped (-want +got):\n%s", diff)
	}
	row, errs := n.Normalize(Record{Num: 1, Cols: cols, Values: []string{"A@Example.com", "Ann A", "Ann", "ACME"}})
	want := Row{Num: 1, Email: "A@Example.com", EmailCanonical: "a@example.com", Attrs: map[string]any{"first_name": "Ann"}}
	if diff := cmp.Diff(want, row); diff != "" || errs != nil {
		t.Errorf("row (-want +got):\n%s\nerrors %v", diff, errs)
	}
}

func TestNewNormalizerErrors(t *testing.T) {
	for _, tt := range []struct {
		opts NormalizeOptions
		want string
	}{
		{NormalizeOptions{Map: Mapping{"x": "nickname"}}, "clearlist attribute add nickname"},
		{NormalizeOptions{Map: Mapping{"": "email"}}, "column name is empty"},
		{NormalizeOptions{DefaultRegion: "ZZ"}, "ISO 3166"},
	} {
		if _, err := NewNormalizer(tt.opts); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("NewNormalizer(%+v) error = %v, want %q", tt.opts, err, tt.want)
		}
	}
}

func TestNormalize(t *testing.T) {
	n, err := NewNormalizer(NormalizeOptions{Schema: testSchema(t), DefaultRegion: "GB", Map: Mapping{"Nick": "first_name", "Notes": "-"}})
	if err != nil {
		t.Fatal(err)
	}
	cols := []string{"Email", "Phone", "Status", "Nick", "score", "VIP", "birthday", "Notes"}
	if _, err := n.CheckColumns(cols); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		values  []string
		want    Row
		wantErr []string // column: reason substring
	}{
		{
			name:   "full",
			values: []string{" Ann@Bücher.de ", "020 7946 0958", "Unsubscribed", "Ann", "3.5", "yes", "1990-05-17", "=cmd"},
			want: Row{Num: 7, Email: "Ann@Bücher.de", EmailCanonical: "ann@xn--bcher-kva.de", Phone: "+442079460958", Status: StatusUnsubscribed,
				Attrs: map[string]any{"first_name": "Ann", "score": 3.5, "vip": true, "birthday": "1990-05-17"}},
		},
		{
			name:   "optional cells empty",
			values: []string{"bob@example.com", "", " ", "", "", "", "", ""},
			want:   Row{Num: 7, Email: "bob@example.com", EmailCanonical: "bob@example.com"},
		},
		{
			name:    "every bad cell",
			values:  []string{"not-an-address", "12", "maybe", "ok", "lots", "perhaps", "31/12/1990", ""},
			wantErr: []string{"Email: no @", "Phone: not a valid number", "Status: unknown status", "score: not a number", "VIP: yes/no", "birthday: not a date"},
		},
		{
			name:    "missing email",
			values:  []string{"  ", "", "", "", "", "", "", ""},
			wantErr: []string{"Email: empty"},
		},
		{
			name:    "email with CRLF",
			values:  []string{"a@example.com\r\n", "", "", "", "", "", "", ""},
			wantErr: []string{"Email: control character"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, errs := n.Normalize(Record{Num: 7, Cols: cols, Values: tt.values})
			if tt.wantErr == nil {
				if errs != nil {
					t.Fatalf("errors: %v", errs)
				}
				if diff := cmp.Diff(tt.want, row); diff != "" {
					t.Errorf("row (-want +got):\n%s", diff)
				}
				return
			}
			if len(errs) != len(tt.wantErr) {
				t.Fatalf("got %d errors %v, want %d", len(errs), errs, len(tt.wantErr))
			}
			for i, w := range tt.wantErr {
				col, reason, _ := strings.Cut(w, ": ")
				if errs[i].Row != 7 || errs[i].Column != col || !strings.Contains(errs[i].Reason, reason) {
					t.Errorf("error %d = %+v, want %s", i, errs[i], w)
				}
			}
			if row.EmailCanonical != "" {
				t.Errorf("a row with errors has an address: %+v", row)
			}
		})
	}
}

func TestNormalizeJSONLKeys(t *testing.T) {
	n, err := NewNormalizer(NormalizeOptions{Schema: testSchema(t)})
	if err != nil {
		t.Fatal(err)
	}
	_, errs := n.Normalize(Record{Num: 3, Cols: []string{"email", "company", "first_name"}, Values: []string{"a@example.com", "ACME", "Ann"}})
	if len(errs) != 1 || errs[0].Column != "company" || !strings.Contains(errs[0].Reason, "not a declared attribute") {
		t.Errorf("undeclared key: %v", errs)
	}
	_, errs = n.Normalize(Record{Num: 4, Cols: []string{"first_name"}, Values: []string{"Ann"}})
	if len(errs) != 1 || !strings.Contains(errs[0].Reason, "no e-mail address column") {
		t.Errorf("no email key: %v", errs)
	}
	_, errs = n.Normalize(Record{Num: 5, Cols: []string{"email", "E-Mail"}, Values: []string{"a@example.com", "b@example.com"}})
	if len(errs) != 1 || !strings.Contains(errs[0].Reason, "both give email") {
		t.Errorf("two email keys: %v", errs)
	}
	_, errs = n.Normalize(Record{Num: 6, Cols: []string{"email"}, Values: nil})
	if len(errs) != 1 {
		t.Errorf("values shorter than cols: %v", errs)
	}
}

func TestNormalizeDoesNotPinLargeRecords(t *testing.T) {
	n, err := NewNormalizer(NormalizeOptions{Schema: testSchema(t), DropUndeclared: true})
	if err != nil {
		t.Fatal(err)
	}
	record := "a@example.com" + strings.Repeat("x", 1<<20)
	row, errs := n.Normalize(Record{Num: 1, Cols: []string{"email", "blob"}, Values: []string{record[:13], record[13:]}})
	if errs != nil {
		t.Fatal(errs)
	}
	if row.Email != "a@example.com" {
		t.Fatalf("row = %+v", row)
	}
	if unsafe.StringData(row.Email) == unsafe.StringData(record) {
		t.Error("the row's address points into the 1 MiB record")
	}
}
