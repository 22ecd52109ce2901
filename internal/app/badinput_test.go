package app

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/imports"
	"github.com/clearlist/clearlist/internal/store"
)

// badRow is one row an import must put in its error report.
type badRow struct {
	row    int
	column string // "" = the whole row
	reason string // a substring of the reason
}

// badInput is one malformed file. Either the import fails as a whole (wantErr) and stores
// nothing, or the good rows are stored exactly as want says and every bad row is reported.
type badInput struct {
	name    string
	file    string
	data    func() []byte
	mod     func(*contact.ImportRequest)
	wantErr string                       // non-empty: the import is refused with this message
	want    map[string]map[string]string // canonical e-mail -> expected field values
	bad     []badRow
	filler  int      // further good rows, f0@x.org…, not listed in want
	warn    []badRow // rows stored with a value left out, reported as warnings
}

func lines(s ...string) func() []byte {
	return func() []byte { return []byte(strings.Join(s, "\n") + "\n") }
}

func badInputs() []badInput {
	ann := map[string]string{"first_name": "Ann"}
	cy := map[string]string{"first_name": "Cy"}
	return []badInput{
		{name: "stray quote mid-field", data: lines("email,first_name", "a@x.org,Ann", `b@x.org,Bo"b`, `d@x.org,"Da"ve"`, "c@x.org,Cy"),
			want: map[string]map[string]string{"a@x.org": ann, "c@x.org": cy},
			bad:  []badRow{{2, "", "malformed quoting"}, {3, "", "malformed quoting"}}},
		{name: "unclosed quote at the end", data: lines("email,first_name", "a@x.org,Ann", `b@x.org,"Bob`),
			want: map[string]map[string]string{"a@x.org": ann},
			bad:  []badRow{{2, "", "malformed quoting"}}},
		{name: "ragged rows", data: lines("email,first_name", "a@x.org,Ann", "b@x.org", "d@x.org,Di,extra", "c@x.org,Cy"),
			want: map[string]map[string]string{"a@x.org": ann, "c@x.org": cy},
			bad:  []badRow{{2, "", "1 fields but the header has 2"}, {3, "", "3 fields but the header has 2"}}},
		{name: "invalid UTF-8 in one row", data: func() []byte {
			// The bad row lies past the 64 KiB the encoding is detected from, as in a big export.
			var b bytes.Buffer
			b.WriteString("email,first_name\na@x.org,Müller\n")
			for i := range 4000 {
				b.WriteString("f" + strconv.Itoa(i) + "@x.org,Filler\n")
			}
			b.WriteString("b@x.org,B\xffb\nc@x.org,Cy\n")
			return b.Bytes()
		}, want: map[string]map[string]string{"a@x.org": {"first_name": "Müller"}, "c@x.org": cy},
			bad: []badRow{{4002, "first_name", "not valid UTF-8"}}, filler: 4000},
		{name: "invalid UTF-8 in one row of a small UTF-8 file", data: lines("email,first_name", "a@x.org,Müller", "b@x.org,B\xffb", "c@x.org,Zoë"),
			want: map[string]map[string]string{"a@x.org": {"first_name": "Müller"}, "c@x.org": {"first_name": "Zoë"}},
			bad:  []badRow{{2, "first_name", "not valid UTF-8"}}},
		{name: "10 MB cell", data: func() []byte {
			return []byte("email,first_name\na@x.org,Ann\nb@x.org," + strings.Repeat("x", 10<<20) + "\nc@x.org,Cy\n")
		}, want: map[string]map[string]string{"a@x.org": ann, "c@x.org": cy},
			bad: []badRow{{2, "", "longer than"}}},
		{name: "10 MB JSON value", file: "big.jsonl", data: func() []byte {
			return []byte(`{"email":"a@x.org","first_name":"Ann"}` + "\n" + `{"email":"b@x.org","first_name":"` +
				strings.Repeat("x", 10<<20) + `"}` + "\n" + `{"email":"c@x.org","first_name":"Cy"}` + "\n")
		}, want: map[string]map[string]string{"a@x.org": ann, "c@x.org": cy},
			bad: []badRow{{2, "", "longer than"}}},
		{name: "blank lines only", data: lines("", "  ", ""), wantErr: "file is empty"},
		{name: "zero bytes", data: func() []byte { return nil }, wantErr: "file is empty"},
		{name: "header only", data: lines("email,first_name"), wantErr: "in.csv has a header but no data rows"},
		{name: "header only, dry run", data: lines("email,first_name"), wantErr: "has a header but no data rows",
			mod: func(r *contact.ImportRequest) { r.DryRun = true }},
		{name: "binary file", file: "photo.csv", data: func() []byte {
			b := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06\x00\x00\x00")
			rng := rand.New(rand.NewPCG(1, 2))
			for range 8192 {
				c := byte(rng.UintN(256))
				if rng.UintN(10) == 0 {
					c = 0
				}
				b = append(b, c)
			}
			return b
		}, wantErr: "looks binary"},
		{name: "duplicate headers", data: lines("Email,email", "a@x.org,b@x.org"), wantErr: "appears twice in the header"},
		{name: "CRLF inside a quoted e-mail", data: func() []byte {
			return []byte("email,first_name\r\n\"a@x.org\r\nBcc: evil@x.org\",Ann\r\n\"c@x.org\r\n\",Cy\r\nd@x.org,Di\r\n")
		}, want: map[string]map[string]string{"d@x.org": {"first_name": "Di"}},
			bad: []badRow{{1, "email", ""}, {2, "email", ""}}},
		{name: "phone that does not parse", data: lines("email,phone", "a@x.org,+44 20 7946 0958", "b@x.org,call me", "c@x.org,+1 555", "d@x.org,", "e@x.org,020 7946 0958"),
			want: map[string]map[string]string{"a@x.org": {"phone": "+442079460958"}, "b@x.org": {"phone": ""}, "c@x.org": {"phone": ""},
				"d@x.org": {"phone": ""}, "e@x.org": {"phone": ""}},
			warn: []badRow{{2, "phone", "warning: "}, {3, "phone", "warning: "}, {5, "phone", "no country code"}}},
		{name: "JSON lines with a non-object line and a nested value", file: "c.jsonl", data: lines(
			`{"email":"a@x.org","first_name":"Ann"}`, `["b@x.org","Bob"]`, `{"email":"d@x.org","first_name":{"given":"Di"}}`,
			`{"email":"c@x.org","first_name":"Cy"}`),
			want: map[string]map[string]string{"a@x.org": ann, "c@x.org": cy},
			bad:  []badRow{{2, "", "not one JSON object"}, {3, "first_name", "nested"}}},
		{name: "UTF-16LE with BOM", data: func() []byte {
			u := utf16.Encode([]rune("email,first_name\r\na@x.org,Müller\r\nc@x.org,Zoë 😀\r\n"))
			b := []byte{0xFF, 0xFE}
			for _, c := range u {
				b = binary.LittleEndian.AppendUint16(b, c)
			}
			return b
		}, want: map[string]map[string]string{"a@x.org": {"first_name": "Müller"}, "c@x.org": {"first_name": "Zoë 😀"}}},
		{name: "Latin-1", data: lines("email,first_name", "a@x.org,M\xfcller", "c@x.org,Fran\xe7oise"),
			want: map[string]map[string]string{"a@x.org": {"first_name": "Müller"}, "c@x.org": {"first_name": "Françoise"}}},
	}
}

// TestImportBadInput feeds malformed files through App.Import on both engines: each is
// refused with a message that says what is wrong, or its good rows are stored correctly and
// each bad row is reported; no row is ever stored wrong.
func TestImportBadInput(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		for _, tc := range badInputs() {
			t.Run(tc.name, func(t *testing.T) {
				a := openApp(t, dsn)
				ws := strings.NewReplacer(" ", "-", ",", "").Replace(tc.name)
				w, err := a.st.EnsureWorkspace(context.Background(), ws)
				if err != nil {
					t.Fatal(err)
				}
				a.Workspace = w
				declare(t, a, "first_name")
				checkBadInput(t, a, tc)
			})
		}
	})
}

func checkBadInput(t *testing.T, a *App, tc badInput) {
	t.Helper()
	ctx := context.Background()
	file := tc.file
	if file == "" {
		file = "in.csv"
	}
	req := contact.ImportRequest{Path: writeFile(t, file, tc.data()), List: "l", Source: contact.Source{Type: "api"}}
	if tc.mod != nil {
		tc.mod(&req)
	}
	sum, err := a.Imports.Import(ctx, a.Workspace.ID, req, 0)
	stored := storedContacts(t, a)
	if tc.wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, contact.ErrInvalidImport) {
			t.Fatalf("err = %v (invalid import: %v), want an invalid import saying %q; summary %+v",
				err, errors.Is(err, contact.ErrInvalidImport), tc.wantErr, sum)
		}
		if strings.Contains(err.Error(), "--resume") {
			t.Errorf("err = %v: a refused file cannot be resumed", err)
		}
		if len(stored) != 0 {
			t.Fatalf("a refused file stored %d contacts", len(stored))
		}
		if srcs, _ := a.st.Sources(ctx, a.Workspace.ID, 0, 10); len(srcs) != 0 && sum.ImportID == 0 {
			t.Errorf("a file refused before import left %d sources behind", len(srcs))
		}
		if sum.ImportID != 0 { // the import was recorded: it must say how it failed
			im, err := a.st.Import(ctx, a.Workspace.ID, sum.ImportID)
			if err != nil || im.Status != store.ImportFailed || !strings.Contains(im.Error, tc.wantErr) {
				t.Errorf("import %d = %+v, %v; want failed with %q", sum.ImportID, im, err, tc.wantErr)
			}
		}
		return
	}
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	if sum.Failed != len(tc.bad) || sum.Warnings != len(tc.warn) || sum.Inserted != len(tc.want)+tc.filler || len(stored) != len(tc.want)+tc.filler {
		t.Errorf("summary %+v, %d stored: want %d failed, %d warnings, %d inserted", sum, len(stored), len(tc.bad), len(tc.warn), len(tc.want)+tc.filler)
	}
	for email, fields := range tc.want {
		c, ok := stored[email]
		if !ok {
			t.Errorf("%s was not imported", email)
			continue
		}
		for k, v := range fields {
			if got := contactField(c, k); got != v {
				t.Errorf("%s: %s = %q, want %q", email, k, got, v)
			}
		}
	}
	for email, c := range stored {
		if _, ok := tc.want[email]; !ok && (tc.filler == 0 || !strings.HasPrefix(email, "f")) {
			t.Errorf("contact %q was stored from a bad row: %+v", email, c)
		}
		if s := contactString(c); strings.ContainsRune(s, '\uFFFD') || strings.ContainsAny(s, "\r\n\x00") {
			t.Errorf("contact stored with a replacement or control character: %q", s)
		}
	}
	checkReport(t, sum.ReportPath, append(slices.Clone(tc.bad), tc.warn...))
	if len(stored) > 0 {
		checkProvenance(t, a, "l")
	}
}

func storedContacts(t *testing.T, a *App) map[string]contact.Contact {
	t.Helper()
	cs, err := a.st.Contacts(context.Background(), a.Workspace.ID, store.ContactFilter{})
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]contact.Contact, len(cs))
	for _, c := range cs {
		m[c.EmailCanonical] = c
	}
	return m
}

func contactField(c contact.Contact, k string) string {
	switch k {
	case "email":
		return c.Email
	case "phone":
		return c.Phone
	}
	return contact.FormatAttr(c.Attrs[k])
}

func contactString(c contact.Contact) string {
	s := c.Email + "|" + c.EmailCanonical + "|" + c.Phone
	for k, v := range c.Attrs {
		s += "|" + k + "=" + contact.FormatAttr(v)
	}
	return s
}

// checkReport reads the error report and matches its rows with want, in order.
func checkReport(t *testing.T, path string, want []badRow) {
	t.Helper()
	if len(want) == 0 {
		if path != "" {
			t.Errorf("an error report %s for a file without bad rows", path)
		}
		return
	}
	if path == "" {
		t.Fatalf("no error report; want rows %v", want)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("error report: %v", err)
	}
	if len(recs) != len(want)+1 || strings.Join(recs[0], ",") != "row,column,value,reason" {
		t.Fatalf("error report %v, want a header and %d rows %v", recs, len(want), want)
	}
	for i, w := range want {
		r := recs[i+1]
		if r[0] != strconv.Itoa(w.row) || r[1] != w.column || !strings.Contains(r[3], w.reason) || len(r[2]) > 210 {
			t.Errorf("report row %d = %q, want row %d, column %q, a reason with %q", i+1, r, w.row, w.column, w.reason)
		}
	}
}

// TestExportNeutralizesFormulas checks that cells a spreadsheet would run as a formula get a
// leading quote in CSV exports, and that JSON lines keep the values as stored.
func TestExportNeutralizesFormulas(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		a := openApp(t, dsn)
		declare(t, a, "first_name", "company")
		path := writeFile(t, "f.jsonl", []byte(`{"email":"=cmd@x.org","first_name":"=HYPERLINK(\"http://evil\")","company":"plain"}
{"email":"+1@x.org","first_name":"+1+2","company":"@SUM(A1)"}
{"email":"-a@x.org","first_name":"-2","company":"a=b"}
`))
		if sum := importFile(t, a, path, nil); sum.Inserted != 3 || sum.Failed != 0 {
			t.Fatalf("import: %+v", sum)
		}
		// TAB and CR cannot come through an import (cells are trimmed, control characters
		// refused), but a contact written another way may hold them.
		src, err := a.st.CreateSource(ctx, contact.Source{WorkspaceID: a.Workspace.ID, Type: "api"})
		if err != nil {
			t.Fatal(err)
		}
		l, err := a.st.ListByName(ctx, a.Workspace.ID, "newsletter")
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.st.CreateContact(ctx, contact.Contact{WorkspaceID: a.Workspace.ID, Email: "tab@x.org", EmailCanonical: "tab@x.org",
			FirstSourceID: src.ID, Attrs: map[string]any{"first_name": "\t=1+1", "company": "\r=2+2"}}, []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}

		recs, err := csv.NewReader(strings.NewReader(exportString(t, a, imports.ExportRequest{List: "newsletter"}))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, r := range recs[1:] {
			got[r[0]] = []string{r[6], r[7]} // company, first_name: attributes in name order
		}
		if h := strings.Join(recs[0], ","); h != "email,phone,status,country,contact_kind,created_at,company,first_name" {
			t.Fatalf("header %q", h)
		}
		want := map[string][]string{
			"'=cmd@x.org": {"plain", `'=HYPERLINK("http://evil")`},
			"'+1@x.org":   {"'@SUM(A1)", "'+1+2"},
			"'-a@x.org":   {"a=b", "'-2"},
			"tab@x.org":   {"'\r=2+2", "'\t=1+1"},
		}
		for email, w := range want {
			if g := got[email]; len(g) != 2 || g[0] != w[0] || g[1] != w[1] {
				t.Errorf("CSV row %q = %q, want %q", email, g, w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("CSV rows %q", got)
		}

		raw := map[string]contact.Contact{}
		for _, line := range strings.Split(strings.TrimSpace(exportString(t, a, imports.ExportRequest{List: "newsletter", Format: "jsonl"})), "\n") {
			var c contact.Contact
			if err := json.Unmarshal([]byte(line), &c); err != nil {
				t.Fatalf("jsonl line %q: %v", line, err)
			}
			raw[c.Email] = c
		}
		for email, fn := range map[string]string{"=cmd@x.org": `=HYPERLINK("http://evil")`, "+1@x.org": "+1+2", "-a@x.org": "-2", "tab@x.org": "\t=1+1"} {
			if c, ok := raw[email]; !ok || c.Attrs["first_name"] != fn {
				t.Errorf("jsonl %q = %+v, want first_name %q unchanged", email, c, fn)
			}
		}
	})
}
