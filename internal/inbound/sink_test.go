package inbound

import (
	"context"
	"net"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/bounce"
)

// recordingSink keeps what it is given; err, when set, is what it answers instead.
type recordingSink struct {
	mu   sync.Mutex
	got  []received
	err  error
	gate chan struct{} // when set, IngestMessage waits for it to close
	got1 chan struct{} // closed at the first message

	inGate bool          // a message has come to the gate
	atGate chan struct{} // closed then
}

type received struct {
	raw []byte
	via string
}

func newSink() *recordingSink {
	return &recordingSink{got1: make(chan struct{}), atGate: make(chan struct{})}
}

func (s *recordingSink) IngestMessage(ctx context.Context, raw []byte, via string) (bounce.IngestResult, error) {
	if s.gate != nil {
		s.mu.Lock()
		if !s.inGate {
			s.inGate = true
			close(s.atGate)
		}
		s.mu.Unlock()
		<-s.gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return bounce.IngestResult{}, s.err
	}
	s.got = append(s.got, received{raw: append([]byte(nil), raw...), via: via})
	if len(s.got) == 1 {
		close(s.got1)
	}
	return bounce.IngestResult{MessageID: int64(len(s.got)), Kind: "unknown"}, nil
}

func (s *recordingSink) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.got...)
}

// permanentErr is an error the sink says will never go away.
type permanentErr struct{ msg string }

func (e permanentErr) Error() string   { return e.msg }
func (e permanentErr) Permanent() bool { return true }

// ourDomains answers the test's list of domains.
func ourDomains(d ...string) Domains {
	return DomainsFunc(func(context.Context) ([]string, error) { return d, nil })
}

// countingSink only counts (for benchmarks).
type countingSink struct{ n atomic.Int64 }

func (s *countingSink) IngestMessage(context.Context, []byte, string) (bounce.IngestResult, error) {
	return bounce.IngestResult{MessageID: s.n.Add(1)}, nil
}

func startServerB(b *testing.B, sink Sink) string { return startServer(b, sink, Options{}) }

func dialB(b *testing.B, addr string) *smtp.Client {
	c, err := smtp.Dial(addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// startServer runs a server on 127.0.0.1 until the test ends and returns its address.
func startServer(t testing.TB, sink Sink, o Options) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if o.Hostname == "" {
		o.Hostname = "inbound.test"
	}
	srv := NewServer(sink, ourDomains("bounce.example", "Replies.Example"), o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ln.Addr().String()
}
