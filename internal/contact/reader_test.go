package contact

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/unicode"
)

// readResult is everything a RowSource yields, copied.
type readResult struct {
	Cols   []string
	Rows   [][]string // Num, then the values as "col=value"
	Errors []string   // "row N: reason substring" checked separately
	errs   []*RowError
}

// readAll drains a RowSource, failing the test on a fatal error.
func readAll(t *testing.T, data []byte, opts ReadOptions) readResult {
	t.Helper()
	src, err := NewRowSource(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("NewRowSource: %v", err)
	}
	res := readResult{Cols: src.Columns()}
	for i := 0; ; i++ {
		if i > 1e6 {
			t.Fatal("Next does not end")
		}
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			return res
		}
		var re *RowError
		if errors.As(err, &re) {
			res.errs = append(res.errs, re)
			continue
		}
		if err != nil {
			t.Fatalf("Next: fatal error %v", err)
		}
		row := []string{strconv.Itoa(rec.Num)}
		for j, v := range rec.Values {
			row = append(row, rec.Cols[j]+"="+v)
		}
		res.Rows = append(res.Rows, row)
	}
}

func TestReadCSVDelimiters(t *testing.T) {
	want := [][]string{
		{"1", "email=a@example.com", "name=Ann, the first", "city=Köln"},
		{"2", "email=b@example.com", "name=Bob \"B\"\nSmith", "city="},
	}
	for name, delim := range map[string]string{"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|"} {
		t.Run(name, func(t *testing.T) {
			d := delim
			data := "email" + d + " name " + d + "city\r\n" +
				"a@example.com" + d + "\"Ann, the first\"" + d + "Köln\r\n" +
				"b@example.com" + d + "\"Bob \"\"B\"\"\nSmith\"" + d + "\r\n"
			got := readAll(t, []byte(data), ReadOptions{})
			if diff := cmp.Diff([]string{"email", "name", "city"}, got.Cols); diff != "" {
				t.Errorf("columns (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(want, got.Rows); diff != "" {
				t.Errorf("rows (-want +got):\n%s", diff)
			}
			if len(got.errs) != 0 {
				t.Errorf("row errors: %v", got.errs)
			}
		})
	}
}

func TestReadCSVExplicitDelimiter(t *testing.T) {
	got := readAll(t, []byte("email;name,x\na@example.com;Ann,B\n"), ReadOptions{Delimiter: ';'})
	if diff := cmp.Diff([][]string{{"1", "email=a@example.com", "name,x=Ann,B"}}, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if _, err := NewRowSource(strings.NewReader("a\n"), ReadOptions{Delimiter: 'x'}); err == nil {
		t.Error("delimiter x accepted")
	}
}

func TestReadEncodings(t *testing.T) {
	text := "email,name\nm@example.com,Müller\n"
	want := [][]string{{"1", "email=m@example.com", "name=Müller"}}
	utf16 := func(e unicode.Endianness, bom unicode.BOMPolicy) []byte {
		b, err := unicode.UTF16(e, bom).NewEncoder().Bytes([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	latin1 := []byte(strings.ReplaceAll(text, "ü", "\xfc"))
	tests := []struct {
		name string
		data []byte
		enc  string
	}{
		{"utf-8", []byte(text), ""},
		{"utf-8 BOM", append([]byte("\xef\xbb\xbf"), text...), ""},
		{"utf-8 BOM explicit", append([]byte("\xef\xbb\xbf"), text...), "UTF-8"},
		{"utf-16le BOM", utf16(unicode.LittleEndian, unicode.UseBOM), ""},
		{"utf-16be BOM", utf16(unicode.BigEndian, unicode.UseBOM), ""},
		{"utf-16le no BOM", utf16(unicode.LittleEndian, unicode.IgnoreBOM), ""},
		{"utf-16be no BOM", utf16(unicode.BigEndian, unicode.IgnoreBOM), ""},
		{"utf-16 explicit", utf16(unicode.BigEndian, unicode.UseBOM), "utf-16"},
		{"utf-16le explicit", utf16(unicode.LittleEndian, unicode.IgnoreBOM), "utf-16le"},
		{"latin-1 detected", latin1, ""},
		{"latin-1 explicit", latin1, "latin-1"},
		{"iso-8859-1 explicit", latin1, "iso-8859-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readAll(t, tt.data, ReadOptions{Encoding: tt.enc})
			if diff := cmp.Diff(want, got.Rows); diff != "" || len(got.errs) > 0 {
				t.Errorf("rows (-want +got):\n%s\nerrors: %v", diff, got.errs)
			}
		})
	}
	if _, err := NewRowSource(strings.NewReader(text), ReadOptions{Encoding: "ebcdic"}); err == nil || !strings.Contains(err.Error(), "utf-8") {
		t.Errorf("unknown encoding: error = %v", err)
	}
}

func TestReadWindows1252Quotes(t *testing.T) {
	got := readAll(t, []byte("email,note\na@example.com,\x93hi\x94 \x80\n"), ReadOptions{})
	if diff := cmp.Diff([][]string{{"1", "email=a@example.com", "note=“hi” €"}}, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestReadUTF16UnpairedSurrogate(t *testing.T) {
	data := []byte{0xFF, 0xFE}
	for _, c := range "email\na@x.com\n" {
		data = append(data, byte(c), 0)
	}
	data = append(data, 0x00, 0xD8, '\n', 0) // a lone high surrogate
	for _, c := range "b@x.com\n" {
		data = append(data, byte(c), 0)
	}
	got := readAll(t, data, ReadOptions{})
	if len(got.Rows) != 2 || len(got.errs) != 1 || got.errs[0].Row != 2 || !strings.Contains(got.errs[0].Reason, "UTF-8") {
		t.Errorf("rows %v, errors %v; want rows 1 and 3 and a UTF-8 error on row 2", got.Rows, got.errs)
	}
}

func TestReadInvalidUTF8Row(t *testing.T) {
	data := "email,name\na@example.com,Ann\n" + strings.Repeat("x@example.com,filler\n", 4000) + "b@example.com,M\xfcller\nc@example.com,Cy\n"
	got := readAll(t, []byte(data), ReadOptions{})
	if len(got.errs) != 1 {
		t.Fatalf("errors = %v, want one", got.errs)
	}
	e := got.errs[0]
	if e.Row != 4002 || e.Column != "name" || !strings.Contains(e.Reason, "UTF-8") || !strings.Contains(e.Value, "\uFFFD") {
		t.Errorf("error = %+v", e)
	}
	if n := len(got.Rows); n != 4002 {
		t.Errorf("got %d good rows, want 4002", n)
	}
}

func TestReadCSVRowErrors(t *testing.T) {
	data := "email,name\n" +
		"a@example.com,Ann\n" + // 1
		"b@example.com\n" + // 2: too few
		"c@example.com,Cy,extra\n" + // 3: too many
		"d@example.com,D\"an\n" + // 4: bare quote
		"\"e@example.com\"x,Eve\n" + // 5: text after closing quote
		"f@example.com,\"Fay\"\n" + // 6
		"\n" + // blank lines are skipped
		"g@example.com,\"multi\nline\"\n" // 7
	got := readAll(t, []byte(data), ReadOptions{})
	wantRows := [][]string{
		{"1", "email=a@example.com", "name=Ann"},
		{"6", "email=f@example.com", "name=Fay"},
		{"7", "email=g@example.com", "name=multi\nline"},
	}
	if diff := cmp.Diff(wantRows, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	wantErrs := []struct {
		row    int
		reason string
	}{{2, "1 fields but the header has 2"}, {3, "3 fields"}, {4, "malformed quoting on line 5"}, {5, "malformed quoting on line 6"}}
	if len(got.errs) != len(wantErrs) {
		t.Fatalf("errors = %v", got.errs)
	}
	for i, w := range wantErrs {
		if got.errs[i].Row != w.row || !strings.Contains(got.errs[i].Reason, w.reason) {
			t.Errorf("error %d = %+v, want row %d containing %q", i, got.errs[i], w.row, w.reason)
		}
	}
}

func TestReadUnclosedQuote(t *testing.T) {
	data := "email,name\na@example.com,\"Ann\nb@example.com,Bob\n"
	got := readAll(t, []byte(data), ReadOptions{})
	if len(got.Rows) != 0 || len(got.errs) != 1 || got.errs[0].Row != 1 {
		t.Errorf("rows %v, errors %v; want one error on row 1", got.Rows, got.errs)
	}
}

func TestReadHugeCell(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("email,notes\na@example.com,short\nb@example.com,")
	b.Write(bytes.Repeat([]byte("x"), 10<<20))
	b.WriteString("\nc@example.com,\"")
	b.Write(bytes.Repeat([]byte("y\n"), 3<<20)) // an unclosed quote over many lines
	b.WriteString("\"\nd@example.com,last\n")
	got := readAll(t, b.Bytes(), ReadOptions{})
	wantRows := [][]string{{"1", "email=a@example.com", "notes=short"}, {"4", "email=d@example.com", "notes=last"}}
	if diff := cmp.Diff(wantRows, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if len(got.errs) != 2 || got.errs[0].Row != 2 || got.errs[1].Row != 3 {
		t.Fatalf("errors = %v, want rows 2 and 3", got.errs)
	}
	for _, e := range got.errs {
		if !strings.Contains(e.Reason, "longer than") || len(e.Value) > 210 {
			t.Errorf("error = %.300v", e)
		}
	}

	small := readAll(t, []byte("email,notes\na@example.com,"+strings.Repeat("z", 101)+"\nb@example.com,ok\n"), ReadOptions{MaxCellBytes: 100})
	if len(small.Rows) != 1 || len(small.errs) != 1 || small.errs[0].Column != "notes" || !strings.Contains(small.errs[0].Reason, "limit is 100") {
		t.Errorf("MaxCellBytes 100: rows %v, errors %v", small.Rows, small.errs)
	}
}

func TestNewRowSourceErrors(t *testing.T) {
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"), bytes.Repeat([]byte{0x13, 0x00, 0x9c, 0xff, 0x01, 0x00, 0x00}, 50)...)
	tests := []struct {
		name string
		data string
		want string
		is   error
	}{
		{"empty", "", "file is empty", ErrEmptyFile},
		{"BOM only", "\xef\xbb\xbf", "file is empty", ErrEmptyFile},
		{"white space", " \r\n\n\t", "file is empty", ErrEmptyFile},
		{"binary", string(png), "looks binary", ErrBinaryFile},
		{"control bytes", "email\n\x01\x02\x03\x04\x05\x06\x07\x08\n", "looks binary", ErrBinaryFile},
		{"duplicate header", "email,Name, name \n", `"name" appears twice`, nil},
		{"empty header name", "email,,name\n", "column 2 of the header has no name", nil},
		{"bad header quoting", "email,\"na\"me\n", "header line", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRowSource(strings.NewReader(tt.data), ReadOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
}

func TestReadHeaderOnly(t *testing.T) {
	for _, data := range []string{"email,name", "email,name\r\n", "email,name\n\n"} {
		got := readAll(t, []byte(data), ReadOptions{})
		if diff := cmp.Diff([]string{"email", "name"}, got.Cols); diff != "" || len(got.Rows) != 0 || len(got.errs) != 0 {
			t.Errorf("%q: cols %v rows %v errors %v", data, got.Cols, got.Rows, got.errs)
		}
	}
}

func TestReadJSONL(t *testing.T) {
	data := `{"email": "a@example.com", "age": 42, "vip": true, "note": null}` + "\n" +
		"\n" +
		`{"email": "b@example.com", "age": 1e3, "vip": false, "note": "x"}` + "\r\n" +
		`["not", "an", "object"]` + "\n" +
		"{\"email\": \"c@example.com\", \"address\": {\"city\": \"K\xf6ln\"}}" + "\n" +
		`{"email": "d@example.com", "tags": ["a"]}` + "\n" +
		`{"email": "e@example.com"` + "\n" +
		`{"email": "f@example.com"} {"email": "g@example.com"}` + "\n" +
		`{"email": "h@example.com", "email": "i@example.com"}` + "\n" +
		"{\"email\": \"j@example.com\", \"name\": \"M\xfcller\"}\n" +
		`  {"name": "Kim", "email": "k@example.com"}`
	got := readAll(t, []byte(data), ReadOptions{})
	if got.Cols != nil {
		t.Errorf("Columns() = %v, want nil", got.Cols)
	}
	wantRows := [][]string{
		{"1", "email=a@example.com", "age=42", "vip=true", "note="},
		{"3", "email=b@example.com", "age=1e3", "vip=false", "note=x"},
		{"10", "email=j@example.com", "name=Müller"}, // the file is not UTF-8: read as Latin-1
		{"11", "name=Kim", "email=k@example.com"},
	}
	if diff := cmp.Diff(wantRows, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	wantErrs := map[int]string{4: "not one JSON object", 5: "nested", 6: "nested", 7: "not one JSON object", 8: "not one JSON object", 9: "twice"}
	if len(got.errs) != len(wantErrs) {
		t.Fatalf("errors = %v", got.errs)
	}
	for _, e := range got.errs {
		if !strings.Contains(e.Reason, wantErrs[e.Row]) {
			t.Errorf("row %d: reason %q, want it to contain %q", e.Row, e.Reason, wantErrs[e.Row])
		}
	}
}

func TestReadJSONLInvalidUTF8(t *testing.T) {
	data := "{\"email\": \"j@example.com\", \"name\": \"M\xfcller\"}\n{\"email\": \"k@example.com\"}\n"
	got := readAll(t, []byte(data), ReadOptions{Encoding: "utf-8"})
	if len(got.Rows) != 1 || len(got.errs) != 1 || got.errs[0].Row != 1 || !strings.Contains(got.errs[0].Reason, "UTF-8") {
		t.Errorf("rows %v errors %v", got.Rows, got.errs)
	}
}

func TestReadJSONLSharesCols(t *testing.T) {
	src, err := NewRowSource(strings.NewReader("{\"email\":\"a@x.com\"}\n{\"email\":\"b@x.com\"}\n"), ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r1, _ := src.Next()
	cols := r1.Cols
	r2, _ := src.Next()
	if &cols[0] != &r2.Cols[0] {
		t.Error("records with the same keys do not share Cols")
	}
}

func TestReadJSONLLongLine(t *testing.T) {
	data := `{"email": "a@example.com", "note": "` + strings.Repeat("x", 2000) + "\"}\n" + `{"email": "b@example.com"}` + "\n"
	got := readAll(t, []byte(data), ReadOptions{Format: FormatJSONL, MaxCellBytes: 100})
	if len(got.Rows) != 1 || len(got.errs) != 1 || got.errs[0].Row != 1 {
		t.Errorf("rows %v errors %v", got.Rows, got.errs)
	}
	data = `{"email": "a@example.com", "note": "` + strings.Repeat("x", 200<<10) + "\"}\n" + `{"email": "b@example.com"}` + "\n"
	got = readAll(t, []byte(data), ReadOptions{MaxCellBytes: 100})
	if len(got.Rows) != 1 || len(got.errs) != 1 || !strings.Contains(got.errs[0].Reason, "longer than") {
		t.Errorf("rows %v errors %v", got.Rows, got.errs)
	}
}

func TestReadFormatForced(t *testing.T) {
	got := readAll(t, []byte("{email}\n{a@example.com}\n"), ReadOptions{Format: FormatCSV})
	if diff := cmp.Diff([][]string{{"1", "{email}={a@example.com}"}}, got.Rows); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
	if _, err := NewRowSource(strings.NewReader("x"), ReadOptions{Format: "xml"}); err == nil {
		t.Error("format xml accepted")
	}
}

// repeatReader yields prefix, then n bytes of fill, then suffix, without
// holding them in memory.
type repeatReader struct {
	prefix, suffix string
	fill           byte
	n              int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	switch {
	case r.prefix != "":
		k := copy(p, r.prefix)
		r.prefix = r.prefix[k:]
		return k, nil
	case r.n > 0:
		k := min(len(p), r.n)
		for i := range p[:k] {
			p[i] = r.fill
		}
		r.n -= k
		return k, nil
	case r.suffix != "":
		k := copy(p, r.suffix)
		r.suffix = r.suffix[k:]
		return k, nil
	}
	return 0, io.EOF
}

func TestReadUnclosedQuoteBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 64 MiB")
	}
	in := &repeatReader{prefix: "email,notes\na@example.com,\"", fill: '\n', n: 64 << 20, suffix: "\"\nb@example.com,ok\n"}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	src, err := NewRowSource(in, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var rows, rowErrs int
	for {
		_, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var re *RowError
		switch {
		case errors.As(err, &re):
			rowErrs++
		case err != nil:
			t.Fatal(err)
		default:
			rows++
		}
	}
	runtime.ReadMemStats(&after)
	if rowErrs != 1 {
		t.Errorf("got %d rows and %d row errors, want 1 row error", rows, rowErrs)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 48<<20 {
		t.Errorf("reading allocated %d MiB; the row limit should keep it far below the 64 MiB input", alloc>>20)
	}
}
