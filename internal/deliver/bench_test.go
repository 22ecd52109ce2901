package deliver

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Benchmarks of the campaign transport. The figures that matter are from the sink in a
// separate process (…/process): run
//
//	go test -run '^$' -bench 'PoolVsBare|PoolSend/sink-process|BareClient' -benchtime 30000x ./internal/deliver
//
// BenchmarkPoolVsBare alternates the pool and go-smtp's bare client against one sink and
// reports their ratio; the others report msgs/s alone.

const benchWorkers = 16

var (
	benchText = strings.Repeat("Dear {name}, this month's news: new trails opened in the hills, the café has longer hours, and the members' evening moves to Thursday. ", 12)
	benchHTML = "<html><body><table width=\"100%\"><tr><td style=\"font-family:Arial,sans-serif;font-size:15px;color:#333\">" +
		strings.Repeat("<p style=\"margin:0 0 12px 0\">Dear {name}, this month's news: new trails opened in the hills, the café has longer hours.</p>", 20) +
		"</td></tr></table></body></html>"
)

// benchMessage is a ~5 KB personalised campaign message for recipient i.
func benchMessage(i int, signer *Signer) Message {
	name := fmt.Sprintf("Reader %d", i)
	return Message{
		From: "Hill Walkers <news@sender.example>", To: fmt.Sprintf("%s <reader%d@example.org>", name, i),
		Subject: "News for " + name, Text: strings.ReplaceAll(benchText, "{name}", name), HTML: strings.ReplaceAll(benchHTML, "{name}", name),
		ReturnPath:     VERPAddress([]byte("bench-key"), "bounces.sender.example", 1, 7, int64(i)),
		UnsubscribeURL: fmt.Sprintf("https://sender.example/u/%d", i), UnsubscribeMailto: "unsubscribe@sender.example",
		ListID: "Hill Walkers <news.1.sender.example>", FeedbackID: FeedbackID("7", "1", "marketing", "clearlist"),
		DKIM: signer,
	}
}

func benchSigner(b *testing.B, kind string) *Signer {
	b.Helper()
	var key DKIMKey
	switch kind {
	case "none":
		return nil
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			b.Fatal(err)
		}
		key = DKIMKey{Domain: "sender.example", Selector: "rsa", Key: k}
	case "ed25519":
		_, k, _ := ed25519.GenerateKey(rand.Reader)
		key = DKIMKey{Domain: "sender.example", Selector: "ed", Key: k}
	}
	s, err := NewSigner(key)
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func BenchmarkBuild(b *testing.B) {
	m := benchMessage(1, nil)
	out, _ := m.Bytes()
	b.SetBytes(int64(len(out)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		bl := getBuilder()
		if _, _, err := bl.build(&m); err != nil {
			b.Fatal(err)
		}
		putBuilder(bl)
	}
}

func BenchmarkDKIMSign(b *testing.B) {
	for _, kind := range []string{"rsa", "ed25519"} {
		b.Run(kind, func(b *testing.B) {
			s := benchSigner(b, kind)
			msg, _ := benchMessage(1, nil).Bytes()
			b.ReportAllocs()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.Sign(msg); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "sigs/s")
		})
	}
}

// runWorkers sends b.N messages with benchWorkers goroutines and reports msgs/s.
func runWorkers(b *testing.B, send func(worker, i int) error) {
	b.ResetTimer()
	elapsed := sendAll(b, b.N, send)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// sendAll sends n messages with benchWorkers goroutines and says how long it took.
func sendAll(b *testing.B, n int, send func(worker, i int) error) time.Duration {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, benchWorkers)
	start := time.Now()
	for w := 0; w < benchWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				if err := send(w, i); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return elapsed
}

func benchPool(b *testing.B, addr, dkimKind string) {
	signer := benchSigner(b, dkimKind)
	p, err := NewPool(PoolConfig{Relays: []Relay{{Addr: addr, TLS: TLSNone, MaxConns: benchWorkers}},
		DomainLimiter: &RateLimiter{}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	ctx := context.Background()
	b.ReportAllocs()
	runWorkers(b, func(_, i int) error { return p.Send(ctx, benchMessage(i, signer)) })
}

// BenchmarkPoolSend: build (personalised), optionally sign, and send through the pool.
func BenchmarkPoolSend(b *testing.B) {
	for _, dkimKind := range []string{"none", "rsa", "ed25519"} {
		b.Run("sink-process/dkim="+dkimKind, func(b *testing.B) { benchPool(b, startSinkProcess(b), dkimKind) })
	}
	b.Run("same-process/dkim=none", func(b *testing.B) {
		addr, _ := startSink(b, &sink{Discard: true}, TLSNone)
		benchPool(b, addr, "none")
	})
}

// bareClients opens one go-smtp client connection per worker and returns the send function
// of the yardstick: one prebuilt message of the same size sent over and over.
func bareClients(b *testing.B, addr string) func(worker, i int) error {
	msg, _ := benchMessage(1, nil).Bytes()
	clients := make([]*smtp.Client, benchWorkers)
	for w := range clients {
		c, err := smtp.Dial(addr)
		if err != nil {
			b.Fatal(err)
		}
		if err := c.Hello("bench.example"); err != nil {
			b.Fatal(err)
		}
		clients[w] = c
		b.Cleanup(func() { c.Close() })
	}
	return func(w, _ int) error {
		return clients[w].SendMail("bounces@sender.example", []string{"reader1@example.org"}, bytes.NewReader(msg))
	}
}

// BenchmarkBareClient is the yardstick: go-smtp's own client, one persistent connection per
// worker, sending one prebuilt message of the same size over and over (no building, no
// signing, no limits) to the sink in a separate process.
func BenchmarkBareClient(b *testing.B) {
	runWorkers(b, bareClients(b, startSinkProcess(b)))
}

// BenchmarkPoolVsBare measures the pool (building each message, no DKIM) and the bare client
// in alternating rounds against one sink process, so that load from other processes on the
// machine falls on both alike; it reports both rates and their ratio.
func BenchmarkPoolVsBare(b *testing.B) {
	addr := startSinkProcess(b)
	bare := bareClients(b, addr)
	p, err := NewPool(PoolConfig{Relays: []Relay{{Addr: addr, TLS: TLSNone, MaxConns: benchWorkers}}, DomainLimiter: &RateLimiter{}})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	pool := func(_, i int) error { return p.Send(context.Background(), benchMessage(i, nil)) }
	const rounds = 6
	per := max(b.N/rounds, 1)
	var tPool, tBare time.Duration
	b.ResetTimer()
	for r := 0; r < rounds; r++ {
		if r%2 == 0 {
			tBare += sendAll(b, per, bare)
			tPool += sendAll(b, per, pool)
		} else {
			tPool += sendAll(b, per, pool)
			tBare += sendAll(b, per, bare)
		}
	}
	b.StopTimer()
	poolRate, bareRate := float64(per*rounds)/tPool.Seconds(), float64(per*rounds)/tBare.Seconds()
	b.ReportMetric(poolRate, "pool-msgs/s")
	b.ReportMetric(bareRate, "bare-msgs/s")
	b.ReportMetric(100*poolRate/bareRate, "pool-%-of-bare")
}
