package suppress

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding"
	"fmt"
	"hash"
	"sync"
	"testing"
)

// BenchmarkHash compares the ways to compute the keyed hash of an address:
// the Keyer (restored SHA-256 states, pooled), a per-goroutine Hasher,
// crypto/hmac reused with Reset, and a fresh crypto/hmac per value.
func BenchmarkHash(b *testing.B) {
	key := bytes.Repeat([]byte{7}, KeySize)
	k, _ := NewKeyer(key)
	const v = "jane.doe@example.com"
	var sink [32]byte
	b.Run("Keyer", func(b *testing.B) {
		for b.Loop() {
			sink = k.Hash(KindEmail, v)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
	b.Run("Hasher", func(b *testing.B) {
		h := k.NewHasher()
		for b.Loop() {
			sink = h.Hash(KindEmail, v)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
	b.Run("hmac-Reset-pooled", func(b *testing.B) {
		pool := sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}
		buf := make([]byte, 0, 64)
		for b.Loop() {
			m := pool.Get().(hash.Hash)
			m.Reset()
			m.Write(append(append(append(buf[:0], KindEmail...), 0), v...))
			sink = [32]byte(m.Sum(buf[:0]))
			pool.Put(m)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
	b.Run("restored-states", func(b *testing.B) {
		// What Reset does, by hand: SHA-256 states after key^ipad and
		// key^opad, restored with UnmarshalBinary for each value.
		var ipad, opad [sha256.BlockSize]byte
		for i := range ipad {
			var c byte
			if i < len(key) {
				c = key[i]
			}
			ipad[i], opad[i] = c^0x36, c^0x5c
		}
		state := func(block []byte) []byte {
			h := sha256.New()
			h.Write(block)
			st, _ := h.(encoding.BinaryMarshaler).MarshalBinary()
			return st
		}
		ist, ost := state(ipad[:]), state(opad[:])
		in, out := sha256.New(), sha256.New()
		msg, isum, osum := make([]byte, 0, 64), make([]byte, 0, 32), make([]byte, 0, 32)
		for b.Loop() {
			in.(encoding.BinaryUnmarshaler).UnmarshalBinary(ist)
			in.Write(append(append(append(msg[:0], KindEmail...), 0), v...))
			isum = in.Sum(isum[:0])
			out.(encoding.BinaryUnmarshaler).UnmarshalBinary(ost)
			out.Write(isum)
			osum = out.Sum(osum[:0])
			sink = [32]byte(osum)
		}
		if sink != k.Hash(KindEmail, v) {
			b.Fatal("hand-made HMAC differs")
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
	b.Run("hmac-New", func(b *testing.B) {
		for b.Loop() {
			m := hmac.New(sha256.New, key)
			m.Write([]byte(string(KindEmail) + "\x00" + v))
			sink = [32]byte(m.Sum(nil))
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
	_ = sink
}

// screenFixture is a workspace with 1,000,000 listed addresses and domains,
// and queries of which about half are listed.
var screenFixture = sync.OnceValues(func() (*Screen, []string) {
	k, _ := NewKeyer(bytes.Repeat([]byte{9}, KeySize))
	s := &Screen{Workspace: List{Keyer: k, Index: NewIndex(1_000_000)}}
	h := k.NewHasher()
	for i := range 1_000_000 {
		s.Workspace.Index.AddHash(h.Hash(KindEmail, fmt.Sprintf("user%d@example%d.com", i, i%1000)), ScopeAll)
	}
	for i := range 100 {
		s.Workspace.Index.AddHash(h.Hash(KindDomain, fmt.Sprintf("blocked%d.example", i)), ScopeAll)
	}
	q := make([]string, 1<<16)
	for i := range q {
		switch i % 4 {
		case 0, 1:
			q[i] = fmt.Sprintf("User%d@Example%d.COM", i*13, i*13%1000) // listed, other spelling
		case 2:
			q[i] = fmt.Sprintf("someone.%d+tag@gmail.com", i) // not listed
		default:
			q[i] = fmt.Sprintf("x%d@blocked%d.example", i, i%200) // domain listed for half
		}
	}
	return s, q
})

// BenchmarkScreenEmail screens addresses one at a time (canonicalise, two
// keyed hashes, two lookups) and in batches, against 1,000,000 entries.
func BenchmarkScreenEmail(b *testing.B) {
	s, q := screenFixture()
	b.Run("Check", func(b *testing.B) {
		hits := 0
		for i := 0; b.Loop(); i++ {
			if _, ok, err := s.Check(KindEmail, q[i%len(q)], ChannelEmail, "newsletter"); err != nil {
				b.Fatal(err)
			} else if ok {
				hits++
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
	})
	b.Run("CheckBatch", func(b *testing.B) {
		out := make([]Result, 1024)
		n := 0
		for b.Loop() {
			off := n % len(q)
			s.CheckBatch(KindEmail, q[off:off+1024], ChannelEmail, "newsletter", out)
			n += 1024
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ids/s")
	})
}

// BenchmarkCanonical is the canonicalisation share of screening.
func BenchmarkCanonical(b *testing.B) {
	for _, c := range []struct {
		kind Kind
		raw  string
	}{{KindEmail, "Jane.Doe+news@GoogleMail.com"}, {KindEmail, "jane@bücher.de"}, {KindPhone, "+1 (415) 555-0123"}, {KindPhone, "+44 20 7946 0123"}} {
		b.Run(string(c.kind)+"/"+c.raw, func(b *testing.B) {
			for b.Loop() {
				if _, err := Canonical(c.kind, c.raw, Options{Region: "US"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
		})
	}
}

// BenchmarkRegistryParse parses a generated full file of 1,000,000 numbers
// ("AAA,NNNNNNN\r\n") from memory.
func BenchmarkRegistryParse(b *testing.B) {
	var buf bytes.Buffer
	buf.ReadFrom(&genRegistry{n: 1_000_000})
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	numbers := 0
	for b.Loop() {
		rep, err := ParseRegistry(bytes.NewReader(data), RegistryOptions{}, func(RegistryRecord) error { return nil })
		if err != nil || rep.Added != 1_000_000 {
			b.Fatal(rep, err)
		}
		numbers += rep.Added
	}
	b.ReportMetric(float64(numbers)/b.Elapsed().Seconds(), "numbers/s")
}

// BenchmarkMapBaseline10M is the yardstick: a bare map[uint64]uint64 of 10
// million prefixes, one lookup at a time, same queries.
func BenchmarkMapBaseline10M(b *testing.B) {
	load10M(b)
	m := make(map[uint64]uint64, benchEntries)
	for i := uint64(0); i < benchEntries; i++ {
		h := synthHash(i)
		m[prefix(&h)] = 1
	}
	q := bench10M.queries
	keys := make([]uint64, len(q))
	for i := range q {
		keys[i] = prefix(&q[i])
	}
	hits := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, ok := m[keys[i%len(keys)]]; ok {
			hits++
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ids/s")
}
