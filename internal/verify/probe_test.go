package verify

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// testSMTP is a real go-smtp server on 127.0.0.1 whose RCPT answers come
// from rcpt; it records what clients sent.
type testSMTP struct {
	addr     string
	rcpt     func(to string) error
	data     atomic.Int64 // DATA commands that reached the backend
	inRcpt   atomic.Int64 // RCPTs being answered now
	maxRcpt  atomic.Int64 // most RCPTs answered at once
	mu       sync.Mutex
	received bytes.Buffer // everything clients wrote
}

func startSMTP(t testing.TB, rcpt func(to string) error) *testSMTP {
	t.Helper()
	s := &testSMTP{rcpt: rcpt}
	srv := smtp.NewServer(s)
	srv.Domain = "mx.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().String()
	go func() { _ = srv.Serve(recordingListener{l, s}) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *testSMTP) NewSession(*smtp.Conn) (smtp.Session, error) { return &testSession{s}, nil }

// transcript returns what clients sent, for assertions on commands.
func (s *testSMTP) transcript() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.received.String()
}

type testSession struct{ s *testSMTP }

func (ss *testSession) Reset()                               {}
func (ss *testSession) Logout() error                        { return nil }
func (ss *testSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *testSession) Data(r io.Reader) error {
	ss.s.data.Add(1)
	_, _ = io.Copy(io.Discard, r)
	return nil
}
func (ss *testSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	n := ss.s.inRcpt.Add(1)
	defer ss.s.inRcpt.Add(-1)
	for m := ss.s.maxRcpt.Load(); n > m && !ss.s.maxRcpt.CompareAndSwap(m, n); m = ss.s.maxRcpt.Load() {
	}
	return ss.s.rcpt(to)
}

// recordingListener copies what clients write into testSMTP.received.
type recordingListener struct {
	net.Listener
	s *testSMTP
}

func (l recordingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return recordingConn{c, l.s}, nil
}

type recordingConn struct {
	net.Conn
	s *testSMTP
}

func (c recordingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.s.mu.Lock()
	c.s.received.Write(p[:n])
	c.s.mu.Unlock()
	return n, err
}

// staticResolver answers every domain with one MX host.
type staticResolver string

func (r staticResolver) LookupMail(_ context.Context, domain string) (DomainMail, error) {
	return DomainMail{Domain: domain, Status: MailMX, MX: []string{string(r)}}, nil
}

// probeChecker returns a Checker whose probes all go to addr.
func probeChecker(addr string, cfg ProbeConfig) *Checker {
	cfg.Dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	cfg.HeloName = "verifier.clearlist.test"
	cfg.MailFrom = "bounces@clearlist.test"
	return New(Options{Resolver: staticResolver("mx.example.test"), Prober: NewSMTPProber(cfg)})
}

func assertNoData(t *testing.T, s *testSMTP) {
	t.Helper()
	tr := strings.ToUpper(s.transcript())
	if s.data.Load() != 0 || strings.Contains(tr, "\nDATA") || strings.HasPrefix(tr, "DATA") {
		t.Errorf("the probe sent DATA:\n%s", s.transcript())
	}
	for _, cmd := range []string{"EHLO VERIFIER.CLEARLIST.TEST", "MAIL FROM:<BOUNCES@CLEARLIST.TEST>", "RCPT TO:<", "QUIT"} {
		if !strings.Contains(tr, cmd) {
			t.Errorf("the probe did not send %q:\n%s", cmd, s.transcript())
		}
	}
}

func TestProbeCatchAll(t *testing.T) {
	s := startSMTP(t, func(string) error { return nil })
	r := probeChecker(s.addr, ProbeConfig{}).Check(context.Background(), "jane@example.com")
	if r.Verdict != Risky || !sameReasons(r.Reasons, []Reason{ReasonCatchAll}) {
		t.Errorf("accept-all server: %s %v, want risky [catch-all]", r.Verdict, r.Reasons)
	}
	if !strings.Contains(s.transcript(), "RCPT TO:<jane@example.com>") || strings.Count(s.transcript(), "RCPT TO:") != 2 {
		t.Errorf("want the address and one random local part probed:\n%s", s.transcript())
	}
	assertNoData(t, s)
}

func TestProbeMailboxUnknown(t *testing.T) {
	s := startSMTP(t, func(to string) error {
		if to == "jane@example.com" {
			return nil
		}
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	})
	c := probeChecker(s.addr, ProbeConfig{})
	if r := c.Check(context.Background(), "john@example.com"); r.Verdict != Undeliverable || !sameReasons(r.Reasons, []Reason{ReasonMailboxUnknown}) {
		t.Errorf("unknown user: %s %v, want undeliverable [mailbox-unknown]", r.Verdict, r.Reasons)
	}
	if r := c.Check(context.Background(), "jane@example.com"); r.Verdict != Deliverable || len(r.Reasons) != 0 {
		t.Errorf("known user on a server that refuses others: %s %v, want deliverable", r.Verdict, r.Reasons)
	}
	assertNoData(t, s)
}

func TestProbePolicyRejectIsNotMailboxUnknown(t *testing.T) {
	s := startSMTP(t, func(string) error {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Client host blocked"}
	})
	r := probeChecker(s.addr, ProbeConfig{}).Check(context.Background(), "jane@example.com")
	if r.Verdict != Unknown || !sameReasons(r.Reasons, []Reason{ReasonProbeFailed}) {
		t.Errorf("5.7.1 policy block: %s %v, want unknown [probe-failed]", r.Verdict, r.Reasons)
	}
}

func TestProbeGreylisted(t *testing.T) {
	s := startSMTP(t, func(string) error {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Greylisted, please try again in 120 seconds"}
	})
	r := probeChecker(s.addr, ProbeConfig{}).Check(context.Background(), "jane@example.com")
	if r.Verdict != Unknown || !sameReasons(r.Reasons, []Reason{ReasonGreylisted}) || r.RetryAfter != 120*time.Second {
		t.Errorf("greylisting server: %s %v retry %v, want unknown [greylisted] retry 2m0s", r.Verdict, r.Reasons, r.RetryAfter)
	}
	assertNoData(t, s)
}

func TestProbeHangingServer(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	s := startSMTP(t, func(string) error { <-release; return nil })
	start := time.Now()
	r := probeChecker(s.addr, ProbeConfig{SessionTimeout: 300 * time.Millisecond}).Check(context.Background(), "jane@example.com")
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("took %v with a 300ms session timeout", d)
	}
	if r.Verdict != Unknown || !sameReasons(r.Reasons, []Reason{ReasonTimeout}) || r.RetryAfter <= 0 {
		t.Errorf("server that stops answering: %s %v retry %v, want unknown [timeout] with a retry hint", r.Verdict, r.Reasons, r.RetryAfter)
	}
	if s.data.Load() != 0 {
		t.Error("the probe sent DATA")
	}
}

func TestProbeSilentGreeting(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() }) // accept, then say nothing
		}
	}()
	start := time.Now()
	r := probeChecker(l.Addr().String(), ProbeConfig{CommandTimeout: 200 * time.Millisecond}).Check(context.Background(), "jane@example.com")
	if d := time.Since(start); d > 2*time.Second || !r.Has(ReasonTimeout) {
		t.Errorf("silent server: %s %v after %v, want [timeout] within the 200ms command timeout (2 hosts at most)", r.Verdict, r.Reasons, d)
	}
}

func TestProbeConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	r := probeChecker(addr, ProbeConfig{}).Check(context.Background(), "jane@example.com")
	if r.Verdict != Unknown || !sameReasons(r.Reasons, []Reason{ReasonProbeFailed}) {
		t.Errorf("refused connection: %s %v, want unknown [probe-failed]", r.Verdict, r.Reasons)
	}
}

func TestProbePerDomainLimits(t *testing.T) {
	s := startSMTP(t, func(to string) error {
		time.Sleep(30 * time.Millisecond)
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no"}
	})
	c := probeChecker(s.addr, ProbeConfig{PerDomainConns: 2, PerDomainRate: 1000, PerDomainBurst: 1000})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { c.Check(context.Background(), "x@example.com") })
	}
	wg.Wait()
	if m := s.maxRcpt.Load(); m > 2 || m < 1 {
		t.Errorf("%d probes of one domain at once, want at most 2", m)
	}

	c = probeChecker(s.addr, ProbeConfig{PerDomainConns: 10, PerDomainRate: 20, PerDomainBurst: 1})
	start := time.Now()
	for range 4 {
		c.Check(context.Background(), "y@example.org")
	}
	if d := time.Since(start); d < 140*time.Millisecond {
		t.Errorf("4 probes at 20/s with burst 1 took %v, want at least 150ms", d)
	}
}

func TestRetryHint(t *testing.T) {
	for msg, want := range map[string]time.Duration{
		"Greylisted, please try again in 300 seconds": 5 * time.Minute,
		"4.7.1 Try again in 5 minutes":                5 * time.Minute,
		"greylisted for 90 s":                         90 * time.Second,
		"Service temporarily unavailable":             7 * time.Minute,
	} {
		if got := retryHint(msg, 7*time.Minute); got != want {
			t.Errorf("retryHint(%q) = %v, want %v", msg, got, want)
		}
	}
}

func TestProbeNeedsMX(t *testing.T) {
	p := NewSMTPProber(ProbeConfig{})
	if r := p.Probe(context.Background(), "jane@example.com", nil); r.Outcome != ProbeFailed {
		t.Errorf("no MX: %s", r.Outcome)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if r := p.Probe(ctx, "jane@example.com", []string{"mx.example.test"}); r.Outcome != ProbeTimeout && r.Outcome != ProbeFailed {
		t.Errorf("cancelled context: %s", r.Outcome)
	}
}
