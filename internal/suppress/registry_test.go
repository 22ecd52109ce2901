package suppress

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

type parsed struct {
	adds, dels []string
	rep        RegistryReport
	err        error
}

func parseAll(t testing.TB, r io.Reader, opts RegistryOptions) parsed {
	t.Helper()
	var p parsed
	p.rep, p.err = ParseRegistry(r, opts, func(rec RegistryRecord) error {
		if rec.Delete {
			p.dels = append(p.dels, rec.E164())
		} else {
			p.adds = append(p.adds, rec.E164())
		}
		return nil
	})
	return p
}

func TestRegistryFormats(t *testing.T) {
	three := []string{"+14155550123", "+12125550199", "+13125550100"}
	cases := []struct {
		name, in   string
		adds, dels []string
	}{
		{"full, ten digits", "4155550123\n2125550199\n3125550100\n", three, nil},
		{"full, area code and number", "415,5550123\n212,5550199\n312,5550100\n", three, nil},
		{"dashes", "415-555-0123\n212-555-0199\n312-555-0100", three, nil}, // no final newline
		{"CRLF", "4155550123\r\n2125550199\r\n3125550100\r\n", three, nil},
		{"BOM, blanks and comments", "\ufeff# registry 2026-11-20\n\n4155550123\n  \n2125550199\r\n\r\n3125550100\n", three, nil},
		{"change file", "415,5550123,A,20261120\n212,5550199,D,20261120\n312,5550100,a,20261121\n", []string{"+14155550123", "+13125550100"}, []string{"+12125550199"}},
		{"change file, ten digits and words", "4155550123,ADD\n2125550199,Delete\n3125550100,deletion,2026-11-21\n", []string{"+14155550123"}, []string{"+12125550199", "+13125550100"}},
		{"plain CSV with a header", "phone,name\n\"+1 (415) 555-0123\",Alice\n212.555.0199;Bob\n1-312-555-0100\tCarol\n", three, nil},
		{"empty file", "", nil, nil},
	}
	for _, c := range cases {
		p := parseAll(t, strings.NewReader(c.in), RegistryOptions{})
		if p.err != nil || len(p.rep.Bad) != 0 || fmt.Sprint(p.adds) != fmt.Sprint(c.adds) || fmt.Sprint(p.dels) != fmt.Sprint(c.dels) {
			t.Errorf("%s: adds %v dels %v bad %v err %v; want adds %v dels %v", c.name, p.adds, p.dels, p.rep.Bad, p.err, c.adds, c.dels)
		}
		if p.rep.Added != len(c.adds) || p.rep.Deleted != len(c.dels) {
			t.Errorf("%s: report %+v", c.name, p.rep)
		}
	}
}

func TestRegistryTestdata(t *testing.T) {
	for name, want := range map[string][2]int{"registry_full.txt": {3, 0}, "registry_full_comma.txt": {3, 0}, "registry_change.txt": {2, 2}} {
		f, err := os.Open("testdata/" + name)
		must(t, err)
		p := parseAll(t, f, RegistryOptions{})
		f.Close()
		if p.err != nil || p.rep.Added != want[0] || p.rep.Deleted != want[1] || len(p.rep.Bad) != 0 {
			t.Errorf("%s: %+v, %v", name, p.rep, p.err)
		}
	}
}

func TestRegistryBadLines(t *testing.T) {
	in := "4155550123\n12345\n415555012X\n0155550123\n4150550123\n415,5550123,A,D\n+44 20 7946 0123\n2125550199\n<record/>\n"
	p := parseAll(t, strings.NewReader(in), RegistryOptions{})
	if p.err != nil || fmt.Sprint(p.adds) != "[+14155550123 +12125550199]" {
		t.Fatalf("adds %v err %v", p.adds, p.err)
	}
	wantLines := []int{2, 3, 4, 5, 6, 7, 9}
	if len(p.rep.Bad) != len(wantLines) {
		t.Fatalf("bad lines %v", p.rep.Bad)
	}
	for i, b := range p.rep.Bad {
		if b.Line != wantLines[i] || b.Reason == "" || !strings.Contains(b.Error(), fmt.Sprintf("line %d:", b.Line)) {
			t.Errorf("bad line %d = %+v", i, b)
		}
	}
	if !strings.Contains(p.rep.Bad[2].Reason, "area code") {
		t.Errorf("area code 015 reported as %q", p.rep.Bad[2].Reason)
	}

	p = parseAll(t, strings.NewReader(strings.Repeat("nonsense line\n", 20)), RegistryOptions{MaxBad: 5})
	if !errors.Is(p.err, ErrTooManyBadLines) || len(p.rep.Bad) != 6 {
		t.Errorf("MaxBad 5: err %v, %d bad", p.err, len(p.rep.Bad))
	}

	long := "4155550123\n" + strings.Repeat("9", 100<<10) + "\n2125550199\n"
	p = parseAll(t, strings.NewReader(long), RegistryOptions{})
	if p.err != nil || len(p.adds) != 2 || len(p.rep.Bad) != 1 || p.rep.Bad[0].Line != 2 || p.rep.Lines != 3 {
		t.Errorf("long line: adds %v bad %+v lines %d err %v", p.adds, p.rep.Bad, p.rep.Lines, p.err)
	}
}

func TestRegistryContainers(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("4155550123\n2125550199\n"))
	zw.Close()
	if p := parseAll(t, &gz, RegistryOptions{}); p.err != nil || len(p.adds) != 2 {
		t.Errorf("gzip: %v %v", p.adds, p.err)
	}
	for in, want := range map[string]string{"PK\x03\x04rest": "unzip", "<?xml version=\"1.0\"?>\n<list/>": "flat text"} {
		if p := parseAll(t, strings.NewReader(in), RegistryOptions{}); p.err == nil || !strings.Contains(p.err.Error(), want) {
			t.Errorf("%q: err %v", in[:4], p.err)
		}
	}
	stop := errors.New("stop")
	_, err := ParseRegistry(strings.NewReader("4155550123\n2125550199\n"), RegistryOptions{}, func(RegistryRecord) error { return stop })
	if !errors.Is(err, stop) || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("callback error: %v", err)
	}
}

// genRegistry produces a full file of n numbers on the fly, so a large file
// is streamed without ever being in memory.
type genRegistry struct {
	i, n int
	buf  []byte
}

func (g *genRegistry) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.i < g.n {
		area, exch, line := 200+g.i%800, 200+(g.i/800)%800, g.i%10000
		g.buf = append(g.buf, byte('0'+area/100), byte('0'+area/10%10), byte('0'+area%10), ',',
			byte('0'+exch/100), byte('0'+exch/10%10), byte('0'+exch%10),
			byte('0'+line/1000), byte('0'+line/100%10), byte('0'+line/10%10), byte('0'+line%10), '\r', '\n')
		g.i++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	n := copy(p, g.buf)
	g.buf = append(g.buf[:0], g.buf[n:]...)
	return n, nil
}

func TestRegistryLargeStream(t *testing.T) {
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	count := 0
	rep, err := ParseRegistry(&genRegistry{n: n}, RegistryOptions{}, func(rec RegistryRecord) error {
		count++
		return nil
	})
	runtime.ReadMemStats(&after)
	if err != nil || count != n || rep.Added != n || rep.Lines != n || len(rep.Bad) != 0 {
		t.Fatalf("count %d report %+v err %v", count, rep, err)
	}
	// Streaming: what was allocated is the buffers, not the file (13 MB).
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("%d numbers took %d KiB of allocations", n, alloc>>10)
	}
}

func TestRegistryNoAllocs(t *testing.T) {
	data := []byte(strings.Repeat("415,5550123,A,20261120\r\n4155550124\n", 500))
	r := bytes.NewReader(data)
	allocs := testing.AllocsPerRun(10, func() {
		r.Reset(data)
		ParseRegistry(r, RegistryOptions{}, func(RegistryRecord) error { return nil })
	})
	if allocs > 5 { // the reader and its buffer, not one per line
		t.Errorf("%v allocations for 1,000 lines", allocs)
	}
}

func TestRegistryStale(t *testing.T) {
	fetched := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		now   time.Time
		stale bool
	}{{fetched.AddDate(0, 0, 30), false}, {fetched.AddDate(0, 0, 31), false}, {fetched.AddDate(0, 0, 31).Add(time.Minute), true}, {fetched.AddDate(0, 2, 0), true}} {
		if got := RegistryStale(fetched, c.now); got != c.stale {
			t.Errorf("RegistryStale(%s, %s) = %v", fetched, c.now, got)
		}
	}
}
