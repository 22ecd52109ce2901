package contact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// benchCSV builds n rows of an e-mail address and nine attributes.
func benchCSV(n int) ([]byte, *Schema) {
	attrs := []Attribute{
		{Name: "first_name", Type: AttrText, Purpose: "greeting"},
		{Name: "last_name", Type: AttrText, Purpose: "greeting"},
		{Name: "company", Type: AttrText, Purpose: "b2b segments"},
		{Name: "city", Type: AttrText, Purpose: "events"},
		{Name: "score", Type: AttrNumber, Purpose: "segments"},
		{Name: "orders", Type: AttrNumber, Purpose: "segments"},
		{Name: "vip", Type: AttrBool, Purpose: "offers"},
		{Name: "newsletter", Type: AttrBool, Purpose: "preferences"},
		{Name: "birthday", Type: AttrDate, Purpose: "birthday mail"},
	}
	schema, err := NewSchema(attrs)
	if err != nil {
		panic(err)
	}
	var b bytes.Buffer
	b.WriteString("Email,First Name,Last Name,Company,City,Score,Orders,VIP,Newsletter,Birthday\n")
	cities := []string{"Berlin", "Köln", "London", "\"Paris, France\"", "New York"}
	for i := range n {
		fmt.Fprintf(&b, "User.%d@Example%d.com,Ann%d,Smith,ACME %d Ltd,%s,%d.5,%d,%s,%s,19%02d-%02d-%02d\n",
			i, i%100, i, i%1000, cities[i%len(cities)], i%100, i%17, []string{"yes", "no"}[i%2], []string{"true", "false"}[i%3%2],
			50+i%50, 1+i%12, 1+i%28)
	}
	return b.Bytes(), schema
}

func BenchmarkReadNormalize(b *testing.B) {
	const rows = 100_000
	data, schema := benchCSV(rows)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		src, err := NewRowSource(bytes.NewReader(data), ReadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		n, err := NewNormalizer(NormalizeOptions{Schema: schema})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := n.CheckColumns(src.Columns()); err != nil {
			b.Fatal(err)
		}
		good := 0
		for {
			rec, err := src.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if _, errs := n.Normalize(rec); errs != nil {
				b.Fatal(errs)
			}
			good++
		}
		if good != rows {
			b.Fatalf("%d rows, want %d", good, rows)
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
