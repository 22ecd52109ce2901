package inbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/audit"
	"github.com/clearlist/clearlist/internal/bounce"
)

// testServer is a server of a test, with its address; stop stops it and waits (once).
type testServer struct {
	srv  *Server
	addr string
	stop func()
}

// serveTest runs a server on 127.0.0.1 (in ctx, the audit actor of the inbound server)
// until stop or the end of the test.
func serveTest(t testing.TB, sink Sink, o Options) testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	o.Hostname = "inbound.test"
	srv := NewServer(sink, ourDomains("bounce.example"), o)
	ctx, cancel := context.WithCancel(audit.WithActor(context.Background(), audit.Actor{Kind: audit.System, Name: "inbound-smtp"}))
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return testServer{srv: srv, addr: ln.Addr().String(), stop: stop}
}

// waitUntil waits for cond, bounded so that a broken server fails instead of hanging the
// test (a bound, not a timing assertion).
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s after a minute", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond)
	}
}

// mail is one message of a test: its envelope recipient and its data.
type mail struct{ rcpt, body string }

// staged sends the messages on as many connections, all of them in DATA before any data
// is sent: with a long BatchLinger, they are then stored as one batch. It returns each
// message's answer (nil: 250).
func staged(t *testing.T, ts testServer, msgs []mail) []error {
	t.Helper()
	ws := make([]io.WriteCloser, len(msgs))
	before := ts.srv.batch.reading.Load()
	for i, m := range msgs {
		c := dial(t, ts.addr)
		if err := c.Mail("", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt(m.rcpt, nil); err != nil {
			t.Fatal(err)
		}
		w, err := c.Data()
		if err != nil {
			t.Fatal(err)
		}
		ws[i] = w
	}
	waitUntil(t, "every session in DATA", func() bool { return ts.srv.batch.reading.Load() == before+int64(len(msgs)) })
	return writeAll(ws, msgs)
}

// writeAll writes each message's data at once and returns their answers.
func writeAll(ws []io.WriteCloser, msgs []mail) []error {
	errs := make([]error, len(msgs))
	var wg sync.WaitGroup
	for i := range ws {
		wg.Go(func() {
			if _, err := io.WriteString(ws[i], msgs[i].body); err != nil {
				errs[i] = err
				return
			}
			errs[i] = ws[i].Close()
		})
	}
	wg.Wait()
	return errs
}

func smtpCode(err error) int {
	var se *smtp.SMTPError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// Messages of sessions in DATA together are given to the sink as ONE batch, and each is
// answered 250 after it; a lone message is written at once, never waiting for the linger.
func TestServerBatchesConcurrentSessions(t *testing.T) {
	sink := &batchingSink{recordingSink: newSink()}
	ts := serveTest(t, sink, Options{BatchLinger: time.Hour})
	msgs := make([]mail, 6)
	for i := range msgs {
		msgs[i] = mail{fmt.Sprintf("bounces+%d@bounce.example", i), fmt.Sprintf("Subject: %d\r\n\r\nbody %d\r\n", i, i)}
	}
	for i, err := range staged(t, ts, msgs) {
		if err != nil {
			t.Errorf("message %d: %v", i, err)
		}
	}
	if !slices.Equal(sink.batches, []int{6}) || len(sink.messages()) != 6 {
		t.Fatalf("batches %v, %d messages stored; want one batch of 6", sink.batches, len(sink.messages()))
	}
	// A lone message: with an hour's linger, an answer at all shows it did not wait.
	c := dial(t, ts.addr)
	if err := send(c, "", []string{"bounces+x@bounce.example"}, strings.NewReader(dsnBody)); err != nil {
		t.Fatal(err)
	}
	if len(sink.messages()) != 7 || len(sink.batches) != 1 {
		t.Fatalf("the lone message: %d stored, batches %v", len(sink.messages()), sink.batches)
	}
}

// A batch the sink fails is given again one message at a time: each is answered as it would
// be alone (the refused one 554, a transient failure 451), the others stored and 250.
func TestServerFailedBatchOneByOne(t *testing.T) {
	sink := &refusingSink{batchingSink: &batchingSink{recordingSink: newSink(), batchErr: errors.New("deadlock detected")},
		refuse: map[string]error{"Subject: bad\r\n": permanentErr{"message has no sender"}, "Subject: later\r\n": errors.New("database is locked")}}
	ts := serveTest(t, sink, Options{BatchLinger: time.Hour})
	msgs := []mail{{"a@bounce.example", "Subject: 1\r\n\r\n1\r\n"}, {"b@bounce.example", "Subject: bad\r\n\r\nx\r\n"},
		{"c@bounce.example", "Subject: 2\r\n\r\n2\r\n"}, {"d@bounce.example", "Subject: later\r\n\r\ny\r\n"}}
	errs := staged(t, ts, msgs)
	want := []int{0, 554, 0, 451}
	for i, err := range errs {
		if smtpCode(err) != want[i] || want[i] == 0 && err != nil {
			t.Errorf("message %d: %v, want %d (0: 250)", i, err, want[i])
		}
	}
	if !slices.Equal(sink.batches, []int{4}) || len(sink.messages()) != 2 {
		t.Fatalf("batches %v, %d stored; want the batch of 4 failed and 2 stored one by one", sink.batches, len(sink.messages()))
	}
}

// refusingSink refuses the messages that contain one of its keys with its error.
type refusingSink struct {
	*batchingSink
	refuse map[string]error
}

func (s *refusingSink) IngestMessage(ctx context.Context, raw []byte, via string) (bounce.IngestResult, error) {
	for k, err := range s.refuse {
		if strings.Contains(string(raw), k) {
			return bounce.IngestResult{}, err
		}
	}
	return s.recordingSink.IngestMessage(ctx, raw, via)
}

// The messages pending beyond Options.PendingBytes are answered 452 (the sender retries),
// so that what the server holds stays bounded; the session goes on.
func TestServerBoundsPendingBytes(t *testing.T) {
	sink := newSink()
	sink.gate = make(chan struct{})
	ts := serveTest(t, sink, Options{MaxMessageBytes: 100 << 10, PendingBytes: 1}) // raised to the minimum: 164 KiB
	big := "Subject: big\r\n\r\n" + strings.Repeat(strings.Repeat("x", 1022)+"\r\n", 90)
	first := make(chan error, 1)
	c1 := dial(t, ts.addr)
	go func() { first <- send(c1, "", []string{"a@bounce.example"}, strings.NewReader(big)) }()
	select { // 90 KiB held while it is stored
	case <-sink.atGate:
	case err := <-first:
		t.Fatalf("the first message: %v", err)
	}
	c2 := dial(t, ts.addr)
	err := send(c2, "", []string{"b@bounce.example"}, strings.NewReader(big))
	if n := smtpCode(err); n != 452 {
		t.Errorf("a message over the pending bytes: %v, want 452", err)
	}
	close(sink.gate)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := send(c2, "", []string{"b@bounce.example"}, strings.NewReader(big)); err != nil {
		t.Errorf("once the first was stored: %v", err)
	}
	if n := len(sink.messages()); n != 2 {
		t.Errorf("%d stored, want 2", n)
	}
}

// After the shutdown grace, a message waiting for its batch is answered 421 and not stored;
// the message being stored then is stored and answered 250 before its connection closes.
func TestServerShutdownAfterGrace(t *testing.T) {
	sink := newSink()
	sink.gate = make(chan struct{})
	ts := serveTest(t, sink, Options{ShutdownGrace: time.Nanosecond})
	c1, c2 := dial(t, ts.addr), dial(t, ts.addr)
	first := make(chan error, 1)
	go func() {
		first <- send(c1, "", []string{"a@bounce.example"}, strings.NewReader("Subject: 1\r\n\r\n1\r\n"))
	}()
	<-sink.atGate
	second := make(chan error, 1)
	go func() {
		second <- send(c2, "", []string{"b@bounce.example"}, strings.NewReader("Subject: 2\r\n\r\n2\r\n"))
	}()
	waitUntil(t, "the second message waiting", func() bool { return ts.srv.batch.reading.Load() == 1 })
	stopped := make(chan struct{})
	go func() { ts.stop(); close(stopped) }()
	if err := <-second; smtpCode(err) != 421 {
		t.Errorf("the message waiting at shutdown: %v, want 421", err)
	}
	close(sink.gate)
	if err := <-first; err != nil {
		t.Errorf("the message being stored at shutdown: %v, want 250", err)
	}
	<-stopped
	if got := sink.messages(); len(got) != 1 || !strings.Contains(string(got[0].raw), "Subject: 1") {
		t.Errorf("stored %d messages, want the first only", len(got))
	}
}
