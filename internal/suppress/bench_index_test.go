package suppress

import (
	"encoding/binary"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// benchEntries is the size of the index the bulk benchmarks screen against.
const benchEntries = 10_000_000

// synthHash returns a deterministic, uniformly distributed stand-in for the
// keyed hash of identifier i, so the benchmark can build 10 million entries
// without keeping 320 MB of hashes around.
func synthHash(i uint64) [32]byte {
	var h [32]byte
	for j := uint64(0); j < 4; j++ {
		binary.LittleEndian.PutUint64(h[8*j:], splitmix(i*4+j))
	}
	return h
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

var bench10M struct {
	once    sync.Once
	ix      *Index
	queries [][32]byte // half listed, half not, shuffled
	build   time.Duration
	heap    uint64
	sys     uint64
	rss     uint64
}

func load10M(b *testing.B) {
	bench10M.once.Do(func() {
		start := time.Now()
		ix := NewIndex(benchEntries)
		email := Scope{Channel: ChannelEmail}
		for i := uint64(0); i < benchEntries; i++ {
			sc := ScopeAll
			if i%4 == 0 {
				sc = email
			}
			if err := ix.AddHash(synthHash(i), sc); err != nil {
				b.Fatal(err)
			}
		}
		bench10M.build = time.Since(start)
		const nq = 1 << 20
		q := make([][32]byte, nq)
		for j := range q {
			r := splitmix(uint64(j) + 1<<40)
			if j%2 == 0 {
				q[j] = synthHash(r % benchEntries) // listed
			} else {
				q[j] = synthHash(benchEntries + r%benchEntries) // not listed
			}
		}
		bench10M.ix, bench10M.queries = ix, q
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		bench10M.heap, bench10M.sys, bench10M.rss = ms.HeapAlloc, ms.Sys, vmRSS()
	})
	if bench10M.ix.Len() != benchEntries {
		b.Fatalf("index holds %d hashes, want %d", bench10M.ix.Len(), benchEntries)
	}
}

// vmRSS reads the resident set size of this process (Linux), 0 elsewhere.
func vmRSS() uint64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func reportMem(b *testing.B) {
	b.ReportMetric(float64(bench10M.heap)/(1<<20), "heap-MB")
	b.ReportMetric(float64(bench10M.sys)/(1<<20), "sys-MB")
	b.ReportMetric(float64(bench10M.rss)/(1<<20), "rss-MB")
	b.ReportMetric(bench10M.build.Seconds(), "build-s")
}

// BenchmarkIndexBulk10M screens pre-hashed identifiers (half listed) against
// 10 million entries with BlockedBatch on one goroutine.
func BenchmarkIndexBulk10M(b *testing.B) {
	load10M(b)
	q := bench10M.queries
	out := make([]bool, batchChunk)
	hits := 0
	b.ResetTimer()
	for done := 0; done < b.N; {
		off := done % len(q)
		n := min(batchChunk, b.N-done, len(q)-off)
		hits += bench10M.ix.BlockedBatch(q[off:off+n], ChannelEmail, "", out[:n])
		done += n
	}
	b.StopTimer()
	if b.N >= 1024 && (hits < b.N*4/10 || hits > b.N*6/10) {
		b.Fatalf("%d of %d blocked; want about half", hits, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	reportMem(b)
}

// BenchmarkIndexBlocked10M is BenchmarkIndexBulk10M one Blocked call at a
// time, as the single-check API does it.
func BenchmarkIndexBlocked10M(b *testing.B) {
	load10M(b)
	q := bench10M.queries
	hits := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := bench10M.ix.Blocked(q[i%len(q)], ChannelEmail, ""); ok {
			hits++
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	reportMem(b)
}
