package contact

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
)

func FuzzCanonicalEmail(f *testing.F) {
	for _, s := range []string{"a@example.com", " Foo.Bar@Bücher.DE ", "a@xn--bcher-kva.de", "İ@x.com", "ß@faß.de", "a@b@c", "\"a b\"@x.com", "a@x..com", "a@\u202e.com", "Ω@Ω.gr", "a@ab--c.com", "ǅ@x.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		given, canonical, err := CanonicalEmail(raw)
		if err != nil {
			if !errors.Is(err, ErrInvalidEmail) {
				t.Fatalf("error %v does not wrap ErrInvalidEmail", err)
			}
			return
		}
		if given == "" || !utf8.ValidString(canonical) || len(canonical) > maxEmailBytes {
			t.Fatalf("CanonicalEmail(%q) = %q, %q", raw, given, canonical)
		}
		for _, r := range canonical {
			if unicode.In(r, unicode.Cc, unicode.Cf, unicode.Zs, unicode.Zl, unicode.Zp) {
				t.Fatalf("canonical %q contains %U", canonical, r)
			}
		}
		_, again, err := CanonicalEmail(canonical)
		if err != nil || again != canonical {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", raw, canonical, again, err)
		}
		domain := canonical[strings.LastIndexByte(canonical, '@')+1:]
		if want, err := idna.Lookup.ToASCII(domain); err != nil || want != domain {
			t.Fatalf("domain %q: idna gives %q, %v", domain, want, err)
		}
	})
}

func FuzzCanonicalPhone(f *testing.F) {
	for _, s := range []string{"+14155550123", "(415) 555-0123", "020 7946 0958", "+44 (0)20 7946 0958 ext. 12", "1-800-FLOWERS", "++1", "+"} {
		f.Add(s, "US")
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, raw, region string) {
		got, err := CanonicalPhone(raw, region)
		if err != nil {
			return
		}
		again, err := CanonicalPhone(got, "")
		if err != nil || again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q, %v", raw, got, again, err)
		}
	})
}

// fuzzSeeds are inputs for the reader fuzzers.
var fuzzSeeds = []string{
	"email,name\na@example.com,Ann\n",
	"email;phone;status\na@example.com;+14155550123;active\n",
	"email\t\"first name\"\n\"a@example.com\"\t\"Ann \"\"A\"\"\nB\"\n",
	"email,name\na@example.com,\"unclosed\nb@example.com,Bob\n",
	"email,name\na@example.com,An\"n\n\"x\"y,z\n",
	"\xef\xbb\xbfemail|vip\na@example.com|yes\n",
	"\xff\xfee\x00m\x00a\x00i\x00l\x00\n\x00a\x00@\x00b\x00.\x00c\x00o\x00\n\x00",
	"{\"email\": \"a@example.com\", \"score\": 1e3}\n{\"email\": null}\n[1]\n{\"a\":{}}\n",
	"email,name\nm@example.com,M\xfcller\n",
	"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
}

func FuzzRowSource(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), 0)
		f.Add([]byte(s), 8)
	}
	f.Fuzz(func(t *testing.T, data []byte, maxCell int) {
		src, err := NewRowSource(bytes.NewReader(data), ReadOptions{MaxCellBytes: maxCell % 64})
		if err != nil {
			return
		}
		drain(t, src, len(data), func(Record) {})
	})
}

func FuzzNormalize(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), true)
		f.Add([]byte(s), false)
	}
	schema, err := NewSchema([]Attribute{
		{Name: "name", Type: AttrText, Purpose: "greeting"},
		{Name: "score", Type: AttrNumber, Purpose: "segments"},
		{Name: "vip", Type: AttrBool, Purpose: "offers"},
		{Name: "born", Type: AttrDate, Purpose: "birthday mail"},
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte, drop bool) {
		src, err := NewRowSource(bytes.NewReader(data), ReadOptions{})
		if err != nil {
			return
		}
		n, err := NewNormalizer(NormalizeOptions{Schema: schema, DropUndeclared: drop, DefaultRegion: "US"})
		if err != nil {
			t.Fatal(err)
		}
		if cols := src.Columns(); cols != nil {
			if _, err := n.CheckColumns(cols); err != nil {
				return
			}
		}
		drain(t, src, len(data), func(rec Record) {
			row, errs := n.Normalize(rec)
			if errs == nil && (row.EmailCanonical == "" || row.Num != rec.Num) {
				t.Fatalf("row %+v from %+v has no address", row, rec)
			}
			for _, e := range errs {
				if e.Row != rec.Num || len(e.Value) > maxReportValueBytes+len("…") || !utf8.ValidString(e.Value) {
					t.Fatalf("bad row error %+v for record %d", e, rec.Num)
				}
			}
		})
	})
}

// drain reads src to the end, checking that it ends and that every record
// and row error has a row number.
func drain(t *testing.T, src RowSource, size int, each func(Record)) {
	t.Helper()
	last := 0
	for i := 0; ; i++ {
		if i > size+1 {
			t.Fatalf("more than %d results from %d bytes: Next does not end", i, size)
		}
		rec, err := src.Next()
		if errors.Is(err, io.EOF) {
			return
		}
		var re *RowError
		switch {
		case errors.As(err, &re):
			if re.Row <= last {
				t.Fatalf("row error number %d after %d", re.Row, last)
			}
			last = re.Row
			continue
		case err != nil:
			return // fatal errors end the read
		}
		if rec.Num <= last || len(rec.Values) != len(rec.Cols) {
			t.Fatalf("record %+v after row %d", rec, last)
		}
		last = rec.Num
		each(rec)
	}
}

// FuzzRowLimit checks that the row limit only turns long rows into row
// errors: every other record is read exactly as without the limit, under the
// same number. It fails if the limiter's idea of where a record ends ever
// differs from encoding/csv's.
func FuzzRowLimit(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s), uint8(8))
	}
	f.Add([]byte("a,b\n1,\"xx\r\nyyyyyyyyyyyyyyyyyyyy\"\r\n2,3\n\"4\"\"\",5\n6,7\"\n8,9\n"), uint8(6))
	f.Fuzz(func(t *testing.T, data []byte, limit uint8) {
		opts := ReadOptions{Format: FormatCSV, Encoding: "utf-8", Delimiter: ','}
		full := collect(data, opts)
		opts.rowLimit = int(limit%64) + 1
		limited := collect(data, opts)
		if full == nil || limited == nil {
			return
		}
		for num, got := range limited {
			want, ok := full[num]
			if !ok {
				t.Fatalf("row %d exists only with the limit: %q", num, got)
			}
			if got != "" && got != want {
				t.Fatalf("row %d with limit %d = %q, without = %q", num, opts.rowLimit, got, want)
			}
		}
		if len(limited) != len(full) {
			t.Fatalf("%d rows with the limit, %d without", len(limited), len(full))
		}
	})
}

// collect reads every row: number -> values joined, or "" for a row error;
// nil when NewRowSource fails.
func collect(data []byte, opts ReadOptions) map[int]string {
	src, err := NewRowSource(bytes.NewReader(data), opts)
	if err != nil {
		return nil
	}
	rows := map[int]string{}
	for range len(data) + 2 {
		rec, err := src.Next()
		var re *RowError
		switch {
		case errors.Is(err, io.EOF):
			return rows
		case errors.As(err, &re):
			rows[re.Row] = ""
		case err != nil:
			return rows
		default:
			rows[rec.Num] = "[" + strings.Join(rec.Values, "|") + "]"
		}
	}
	panic("Next does not end")
}
