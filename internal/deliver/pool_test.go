package deliver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/clearlist/clearlist/internal/deliver/delivertest"
	"github.com/emersion/go-smtp"
)

func campaignMessage(i int) Message {
	return Message{
		From: "News <news@sender.example>", To: fmt.Sprintf("Reader %d <reader%d@example.org>", i, i),
		Subject: fmt.Sprintf("Issue %d", i), Text: "Hello reader,\nthe news.", HTML: "<p>Hello reader</p>",
		ReturnPath:     VERPAddress([]byte("k"), "bounces.sender.example", 1, 2, int64(i)),
		UnsubscribeURL: "https://sender.example/u/tok", UnsubscribeMailto: "unsubscribe@sender.example",
		ListID: "News <news.1.sender.example>", FeedbackID: FeedbackID("c2", "w1", "marketing", "clearlist"),
	}
}

func newTestPool(t *testing.T, relays ...Relay) *Pool {
	t.Helper()
	p, err := NewPool(PoolConfig{Relays: relays})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func smtpErr(code int, enh smtp.EnhancedCode, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: msg}
}

// TestPoolReusesConnections: many messages from several goroutines ride on at most MaxConns
// sessions, and the envelope carries the VERP return path.
func TestPoolReusesConnections(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		t.Run(fmt.Sprintf("pipelining=%v", pipelining), func(t *testing.T) {
			k := &sink{}
			addr, _ := startSink(t, k, TLSNone)
			p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone, MaxConns: 2, DisablePipelining: !pipelining})
			var wg sync.WaitGroup
			errs := make(chan error, 40)
			for w := 0; w < 4; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < 10; i++ {
						errs <- p.Send(context.Background(), campaignMessage(w*10+i))
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if got := len(k.Messages()); got != 40 {
				t.Fatalf("sink got %d messages, want 40", got)
			}
			if s := k.Sessions(); s > 2 {
				t.Fatalf("%d sessions for 40 messages, want at most 2", s)
			}
			if st := p.Stats()[0]; st.Messages != 40 || st.Dials > 2 {
				t.Fatalf("stats %+v", st)
			}
			if r := k.Messages()[0]; !strings.HasPrefix(r.From, "bounces+1.2.") {
				t.Fatalf("envelope sender %q, want the VERP address", r.From)
			}
		})
	}
}

func TestPoolMaxMessagesPerConn(t *testing.T) {
	k := &sink{}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone, MaxConns: 1, MaxMessagesPerConn: 3})
	for i := 0; i < 7; i++ {
		if err := p.Send(context.Background(), campaignMessage(i)); err != nil {
			t.Fatal(err)
		}
	}
	if s := k.Sessions(); s != 3 {
		t.Fatalf("%d sessions, want 3 (3+3+1 messages)", s)
	}
}

// TestPoolReplies: each refusal, at each stage, comes back with its code, enhanced code and
// text, temporary for 4xx and permanent for 5xx, and the connection carries the next message.
func TestPoolReplies(t *testing.T) {
	for _, tc := range []struct {
		stage string
		code  int
		enh   smtp.EnhancedCode
		temp  bool
	}{
		{"mail", 451, smtp.EnhancedCode{4, 7, 1}, true},
		{"rcpt", 450, smtp.EnhancedCode{4, 2, 1}, true},
		{"rcpt", 452, smtp.EnhancedCode{4, 5, 3}, true},
		{"rcpt", 454, smtp.EnhancedCode{4, 7, 0}, true},
		{"rcpt", 550, smtp.EnhancedCode{5, 1, 1}, false},
		{"rcpt", 552, smtp.EnhancedCode{5, 2, 2}, false},
		{"message", 451, smtp.EnhancedCode{4, 3, 0}, true},
		{"message", 554, smtp.EnhancedCode{5, 7, 1}, false},
		{"message", 552, smtp.EnhancedCode{5, 3, 4}, false},
	} {
		for _, pipelining := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s-%d-pipelining=%v", tc.stage, tc.code, pipelining), func(t *testing.T) {
				k := &sink{}
				refuse := func(s *delivertest.Session) error {
					if strings.HasPrefix(s.To, "reader0@") {
						return smtpErr(tc.code, tc.enh, "go away now")
					}
					return nil
				}
				switch tc.stage {
				case "mail":
					k.OnMail = func(s *delivertest.Session) error {
						if strings.Contains(s.From, ".0.") {
							return smtpErr(tc.code, tc.enh, "go away now")
						}
						return nil
					}
				case "rcpt":
					k.OnRcpt = refuse
				case "message":
					k.OnData = func(s *delivertest.Session, _ []byte) error { return refuse(s) }
				}
				addr, _ := startSink(t, k, TLSNone)
				p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone, MaxConns: 1, DisablePipelining: !pipelining})
				err := p.Send(context.Background(), campaignMessage(0))
				var se *SendError
				if !errors.As(err, &se) {
					t.Fatalf("err = %v, want a SendError", err)
				}
				wantEnh := fmt.Sprintf("%d.%d.%d", tc.enh[0], tc.enh[1], tc.enh[2])
				if se.Code != tc.code || se.Enhanced != wantEnh || se.Message != "go away now" || se.Stage != tc.stage || se.Temporary != tc.temp {
					t.Fatalf("SendError %+v", se)
				}
				var temp *TemporaryError
				if errors.As(err, &temp) != tc.temp || IsRetryable(err) != tc.temp || errors.Is(err, ErrOutcomeUnknown) {
					t.Fatalf("err %v: temporary %v, want %v", err, errors.As(err, &temp), tc.temp)
				}
				if err := p.Send(context.Background(), campaignMessage(1)); err != nil {
					t.Fatalf("next message: %v", err)
				}
				if s := k.Sessions(); s != 1 {
					t.Fatalf("%d sessions, want the connection reused", s)
				}
				if tc.stage != "message" && !strings.Contains(k.Transcript(), "RSET") {
					t.Fatal("no RSET after the refused transaction")
				}
			})
		}
	}
}

// TestPool421Reconnects: 421 means the relay closes the session; the message is a temporary
// failure and the next one goes over a new connection.
func TestPool421Reconnects(t *testing.T) {
	k := &sink{OnRcpt: func(s *delivertest.Session) error {
		if s.N == 1 {
			return smtpErr(421, smtp.EnhancedCode{4, 7, 0}, "too many messages, slow down")
		}
		return nil
	}}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone, MaxConns: 1})
	err := p.Send(context.Background(), campaignMessage(0))
	var se *SendError
	if !IsRetryable(err) || !errors.As(err, &se) || se.Code != 421 {
		t.Fatalf("err = %v, want a temporary 421", err)
	}
	if err := p.Send(context.Background(), campaignMessage(1)); err != nil {
		t.Fatal(err)
	}
	if s := k.Sessions(); s != 2 {
		t.Fatalf("%d sessions, want 2", s)
	}
}

// TestPool421ThenHangUp: a relay that answers 421 and closes at once (as real ones do) is
// reported with its 421, pipelined or not.
func TestPool421ThenHangUp(t *testing.T) {
	for _, pipelining := range []bool{true, false} {
		k := &sink{OnMail: func(s *delivertest.Session) error {
			s.Conn().Write([]byte("421 4.7.0 too busy, closing\r\n"))
			return s.HangUp()
		}}
		addr, _ := startSink(t, k, TLSNone)
		p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone, DisablePipelining: !pipelining})
		err := p.Send(context.Background(), campaignMessage(0))
		var se *SendError
		if !IsRetryable(err) || !errors.As(err, &se) || se.Code != 421 || se.Enhanced != "4.7.0" || se.Stage != "mail" {
			t.Fatalf("pipelining %v: err = %v, want the 421 at MAIL", pipelining, err)
		}
	}
}

// TestPoolDropMidData: the relay hangs up after the whole message arrived, before its reply.
// The relay may have the message: the outcome is unknown and must not be retried.
func TestPoolDropMidData(t *testing.T) {
	k := &sink{OnData: func(s *delivertest.Session, _ []byte) error { return s.HangUp() }}
	addr, _ := startSink(t, k, TLSNone)
	spare := &sink{}
	spareAddr, _ := startSink(t, spare, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone}, Relay{Addr: spareAddr, TLS: TLSNone})
	err := p.Send(context.Background(), campaignMessage(0))
	var temp *TemporaryError
	if !errors.Is(err, ErrOutcomeUnknown) || errors.As(err, &temp) || IsRetryable(err) {
		t.Fatalf("err = %v, want an unknown outcome that is not temporary", err)
	}
	if n := len(spare.Messages()); n != 0 {
		t.Fatal("an unknown outcome was resent through the next relay")
	}
}

// TestPoolCancelAwaitingVerdict: a context that ends while the relay holds the whole message
// and has not answered leaves the outcome unknown.
func TestPoolCancelAwaitingVerdict(t *testing.T) {
	got, release := make(chan struct{}), make(chan struct{})
	k := &sink{OnData: func(*delivertest.Session, []byte) error {
		close(got)
		<-release
		return nil
	}}
	addr, _ := startSink(t, k, TLSNone)
	defer close(release)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-got
		cancel()
	}()
	if err := p.Send(ctx, campaignMessage(0)); !errors.Is(err, ErrOutcomeUnknown) || IsRetryable(err) {
		t.Fatalf("err = %v, want an unknown outcome", err)
	}
}

// TestPoolDropWhileWritingBody: the relay hangs up while a large message is still being
// written, so it never saw the terminating dot: the failure is retryable, not unknown.
func TestPoolDropWhileWritingBody(t *testing.T) {
	k := &sink{HangUpAfter: 64 << 10}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone})
	big := bytes.Repeat([]byte(strings.Repeat("x", 76)+"\r\n"), 400_000) // 31 MB: more than the socket buffers hold
	err := p.SendRaw(context.Background(), "a@sender.example", "b@example.org", big)
	var se *SendError
	if !IsRetryable(err) || errors.Is(err, ErrOutcomeUnknown) || !errors.As(err, &se) || se.Stage != "message" {
		t.Fatalf("err = %v, want a retryable failure while writing the message", err)
	}
}

// TestPoolDropBeforeData: a relay that hangs up before DATA cannot have the message: it is
// safe to retry, and the pool fails over to the next relay.
func TestPoolDropBeforeData(t *testing.T) {
	k := &sink{OnMail: func(s *delivertest.Session) error { return s.HangUp() }}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone})
	err := p.Send(context.Background(), campaignMessage(0))
	if !IsRetryable(err) || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("err = %v, want retryable", err)
	}

	spare := &sink{}
	spareAddr, _ := startSink(t, spare, TLSNone)
	p = newTestPool(t, Relay{Addr: addr, TLS: TLSNone}, Relay{Name: "spare", Addr: spareAddr, TLS: TLSNone})
	if err := p.Send(context.Background(), campaignMessage(0)); err != nil {
		t.Fatal(err)
	}
	if n := len(spare.Messages()); n != 1 {
		t.Fatalf("spare relay got %d messages, want 1", n)
	}
}

// TestPoolFailover: an unreachable first relay hands its traffic to the next one.
func TestPoolFailover(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	k := &sink{}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Name: "dead", Addr: dead, TLS: TLSNone}, Relay{Name: "live", Addr: addr, TLS: TLSNone})
	for i := 0; i < 3; i++ {
		if err := p.Send(context.Background(), campaignMessage(i)); err != nil {
			t.Fatal(err)
		}
	}
	st := p.Stats()
	if st[0].Dials != 1 || st[1].Messages != 3 {
		t.Fatalf("stats %+v: want one failed dial to the dead relay, then it rests", st)
	}
	// Every relay down: a temporary relay fault.
	p = newTestPool(t, Relay{Addr: dead, TLS: TLSNone})
	err := p.Send(context.Background(), campaignMessage(0))
	var se *SendError
	if !IsRetryable(err) || !errors.As(err, &se) || !se.RelayFault || se.Stage != "connect" {
		t.Fatalf("err = %v, want a temporary relay fault at connect", err)
	}
}

// TestPoolTLSAndAuth: STARTTLS and implicit TLS with a self-signed certificate, AUTH PLAIN
// and LOGIN; wrong credentials are a relay fault.
func TestPoolTLSAndAuth(t *testing.T) {
	for _, mode := range []TLSMode{TLSStartTLS, TLSImplicit} {
		for _, mech := range []string{"PLAIN", "LOGIN"} {
			t.Run(string(mode)+"-"+mech, func(t *testing.T) {
				k := &sink{Users: map[string]string{"ann": "s3cret"}}
				addr, clientTLS := startSink(t, k, mode)
				p := newTestPool(t, Relay{Addr: addr, TLS: mode, TLSConfig: clientTLS, Username: "ann", Password: "s3cret", Auth: mech})
				for i := 0; i < 2; i++ {
					if err := p.Send(context.Background(), campaignMessage(i)); err != nil {
						t.Fatal(err)
					}
				}
				// (go-smtp opens a second session after STARTTLS, so count dials.)
				if len(k.Messages()) != 2 || p.Stats()[0].Dials != 1 {
					t.Fatalf("got %d messages over %d connections", len(k.Messages()), p.Stats()[0].Dials)
				}
				bad := newTestPool(t, Relay{Addr: addr, TLS: mode, TLSConfig: clientTLS, Username: "ann", Password: "wrong", Auth: mech})
				err := bad.Send(context.Background(), campaignMessage(0))
				var se *SendError
				if !errors.As(err, &se) || se.Stage != "auth" || se.Code != 535 || !se.RelayFault {
					t.Fatalf("wrong password: err = %v", err)
				}
			})
		}
	}
	// A relay without STARTTLS is refused unless the mode says none.
	k := &sink{}
	addr, _ := startSink(t, k, TLSNone)
	err := newTestPool(t, Relay{Addr: addr}).Send(context.Background(), campaignMessage(0))
	if err == nil || !strings.Contains(err.Error(), "STARTTLS") || len(k.Messages()) != 0 {
		t.Fatalf("err = %v, want a STARTTLS error", err)
	}
}

// recordingLimiter notes the keys it is asked for.
type recordingLimiter struct {
	mu   sync.Mutex
	keys []string
}

func (r *recordingLimiter) Wait(_ context.Context, key string) error {
	r.mu.Lock()
	r.keys = append(r.keys, key)
	r.mu.Unlock()
	return nil
}

// TestPoolAsksLimiters: every message takes a token of its receiving domain and of its relay.
func TestPoolAsksLimiters(t *testing.T) {
	k := &sink{}
	addr, _ := startSink(t, k, TLSNone)
	dom, rel := &recordingLimiter{}, &recordingLimiter{}
	p, err := NewPool(PoolConfig{Relays: []Relay{{Name: "main", Addr: addr, TLS: TLSNone}}, DomainLimiter: dom, RelayLimiter: rel})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	m := campaignMessage(0)
	m.To = "someone@Example.ORG"
	if err := p.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if strings.Join(dom.keys, ",") != "domain:example.org" || strings.Join(rel.keys, ",") != "relay:main" {
		t.Fatalf("domain keys %v, relay keys %v", dom.keys, rel.keys)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	lim := &RateLimiter{Default: Limit{PerSecond: 0.001, Burst: 1}}
	p2, _ := NewPool(PoolConfig{Relays: []Relay{{Addr: addr, TLS: TLSNone}}, DomainLimiter: lim})
	defer p2.Close()
	lim.Wait(context.Background(), "domain:example.org") // takes the only token
	if err := p2.Send(ctx, campaignMessage(1)); !IsRetryable(err) {
		t.Fatalf("throttled and cancelled: err = %v, want retryable", err)
	}
}

func TestPoolClosed(t *testing.T) {
	k := &sink{}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone})
	if err := p.Send(context.Background(), campaignMessage(0)); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if err := p.Send(context.Background(), campaignMessage(1)); !errors.Is(err, ErrPoolClosed) {
		t.Fatalf("err = %v", err)
	}
	if !strings.Contains(k.Transcript(), "QUIT") {
		t.Fatal("no QUIT on close")
	}
}

func TestNewPoolRefusesBadConfig(t *testing.T) {
	for _, cfg := range []PoolConfig{{}, {Relays: []Relay{{}}}, {Relays: []Relay{{Addr: "x:25", TLS: "maybe"}}},
		{Relays: []Relay{{Addr: "x:25"}, {Addr: "x:25"}}}} {
		if _, err := NewPool(cfg); err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}

// TestPoolRetriesDeadIdleConnection: a pooled connection the relay has dropped meanwhile is
// replaced by a new one, and the message goes through without an error.
func TestPoolRetriesDeadIdleConnection(t *testing.T) {
	var mails sync.Map
	k := &sink{OnMail: func(s *delivertest.Session) error {
		if _, seen := mails.LoadOrStore(s.N, true); seen && s.N == 1 {
			return s.HangUp() // the second MAIL on the first connection: it is gone
		}
		return nil
	}}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone, MaxConns: 1})
	for i := 0; i < 2; i++ {
		if err := p.Send(context.Background(), campaignMessage(i)); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if len(k.Messages()) != 2 || k.Sessions() != 2 {
		t.Fatalf("%d messages over %d sessions, want 2 over 2", len(k.Messages()), k.Sessions())
	}
}

// TestPoolSpillsOver: when the preferred relay's connections are all busy, a message goes to
// the next relay instead of queueing.
func TestPoolSpillsOver(t *testing.T) {
	inA, release := make(chan struct{}), make(chan struct{})
	a := &sink{OnData: func(*delivertest.Session, []byte) error {
		close(inA)
		<-release
		return nil
	}}
	b := &sink{}
	addrA, _ := startSink(t, a, TLSNone)
	addrB, _ := startSink(t, b, TLSNone)
	p := newTestPool(t, Relay{Name: "a", Addr: addrA, TLS: TLSNone, MaxConns: 1}, Relay{Name: "b", Addr: addrB, TLS: TLSNone, MaxConns: 1})
	done := make(chan error)
	go func() { done <- p.Send(context.Background(), campaignMessage(0)) }()
	<-inA
	if err := p.Send(context.Background(), campaignMessage(1)); err != nil {
		t.Fatal(err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if len(a.Messages()) != 1 || len(b.Messages()) != 1 {
		t.Fatalf("relay a got %d, b got %d; want one each", len(a.Messages()), len(b.Messages()))
	}
}

// TestPoolNonASCIIAddressNeedsSMTPUTF8: an internationalised address goes only to a relay
// that offers SMTPUTF8; otherwise it is a permanent failure and nothing is sent.
func TestPoolNonASCIIAddressNeedsSMTPUTF8(t *testing.T) {
	k := &sink{}
	addr, _ := startSink(t, k, TLSNone)
	p := newTestPool(t, Relay{Addr: addr, TLS: TLSNone})
	m := campaignMessage(0)
	m.To = "zoë@example.org"
	err := p.Send(context.Background(), m)
	var se *SendError
	if !errors.As(err, &se) || se.Temporary || !strings.Contains(se.Message, "SMTPUTF8") {
		t.Fatalf("err = %v, want a permanent SMTPUTF8 error", err)
	}
	if err := p.Send(context.Background(), campaignMessage(1)); err != nil || len(k.Messages()) != 1 {
		t.Fatalf("the connection is unusable after the refusal: %v", err)
	}
}
