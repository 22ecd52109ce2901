package inbound

import (
	"strings"
	"testing"

	"github.com/emersion/go-smtp"
)

// BenchmarkServerDSN sends DSNs one after another over one connection to a server whose sink
// only keeps them: the cost of the SMTP side of an inbound message.
func BenchmarkServerDSN(b *testing.B) {
	sink := &countingSink{}
	addr := startServerB(b, sink)
	c := dialB(b, addr)
	b.SetBytes(int64(len(dsnBody)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := send(c, "", []string{"bounces+x@bounce.example"}, strings.NewReader(dsnBody)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}

// BenchmarkServerDSNParallel is BenchmarkServerDSN over several connections at once, as
// sending servers deliver.
func BenchmarkServerDSNParallel(b *testing.B) {
	addr := startServerB(b, &countingSink{})
	b.SetParallelism(4)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		c, err := smtp.Dial(addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for pb.Next() {
			if err := send(c, "", []string{"bounces+x@bounce.example"}, strings.NewReader(dsnBody)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
