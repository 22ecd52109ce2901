package deliver

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// sink is a real go-smtp server on loopback with hooks that make it refuse, throttle or hang
// up at any stage, and counters of what it saw.
type sink struct {
	mu       sync.Mutex
	sessions int
	got      []received
	users    map[string]string // AUTH PLAIN and LOGIN accounts; nil: no AUTH offered
	discard  bool              // keep nothing, count only (benchmarks)
	count    atomic.Int64

	// Hooks return an error (an *smtp.SMTPError) to refuse, or hang up via s.hangUp().
	onMail func(s *sinkSession) error
	onRcpt func(s *sinkSession) error
	onData func(s *sinkSession, data []byte) error
	// hangUpAfter > 0: hang up after reading that many bytes of a message.
	hangUpAfter int64

	debug lockedBuffer // the conversation, for tests that look for a command
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (k *sink) NewSession(c *smtp.Conn) (smtp.Session, error) {
	k.mu.Lock()
	k.sessions++
	n := k.sessions
	k.mu.Unlock()
	return &sinkSession{k: k, c: c, n: n}, nil
}

func (k *sink) received() []received {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]received(nil), k.got...)
}

func (k *sink) sessionCount() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.sessions
}

type sinkSession struct {
	k        *sink
	c        *smtp.Conn
	n        int // session number, from 1
	from, to string
	authed   bool
}

func (s *sinkSession) hangUp() error {
	s.c.Conn().Close()
	return errors.New("hung up")
}

func (s *sinkSession) Reset()        {}
func (s *sinkSession) Logout() error { return nil }

func (s *sinkSession) AuthMechanisms() []string {
	if s.k.users == nil {
		return nil
	}
	return []string{sasl.Plain, sasl.Login}
}

func (s *sinkSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if p, ok := s.k.users[user]; !ok || p != pass {
			return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "bad credentials"}
		}
		s.authed = true
		return nil
	}
	if mech == sasl.Login {
		return &loginServer{check: check}, nil
	}
	return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
}

func (s *sinkSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.k.users != nil && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	if s.k.onMail != nil {
		return s.k.onMail(s)
	}
	return nil
}

func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = to
	if s.k.onRcpt != nil {
		return s.k.onRcpt(s)
	}
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	if s.k.discard {
		_, err := io.Copy(io.Discard, r)
		s.k.count.Add(1)
		return err
	}
	if s.k.hangUpAfter > 0 {
		io.CopyN(io.Discard, r, s.k.hangUpAfter)
		return s.hangUp()
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.k.onData != nil {
		if err := s.k.onData(s, b); err != nil {
			return err
		}
	}
	s.k.mu.Lock()
	s.k.got = append(s.k.got, received{s.from, s.to, b})
	s.k.mu.Unlock()
	s.k.count.Add(1)
	return nil
}

// loginServer is the server side of AUTH LOGIN (go-sasl has only the client).
type loginServer struct {
	step  int
	user  string
	check func(user, pass string) error
}

func (l *loginServer) Next(resp []byte) ([]byte, bool, error) {
	switch l.step {
	case 0:
		l.step = 1
		if len(resp) == 0 {
			return []byte("Username:"), false, nil
		}
		fallthrough
	case 1:
		l.user, l.step = string(resp), 2
		return []byte("Password:"), false, nil
	default:
		return nil, true, l.check(l.user, string(resp))
	}
}

// startSink serves k on 127.0.0.1 with the TLS mode given; it returns the address and the
// client TLS configuration that trusts the sink's self-signed certificate.
func startSink(t testing.TB, k *sink, mode TLSMode) (string, *tls.Config) {
	t.Helper()
	srv := smtp.NewServer(k)
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	srv.MaxMessageBytes = 10 << 20
	if !k.discard {
		srv.Debug = &k.debug
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var client *tls.Config
	if mode != TLSNone {
		tt, ok := t.(*testing.T)
		if !ok {
			t.Fatal("TLS sinks are for tests")
		}
		cert, pool := selfSigned(tt)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		client = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
		if mode == TLSImplicit {
			ln = tls.NewListener(ln, srv.TLSConfig)
		}
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), client
}

// sinkProcessEnv makes the test binary a bare go-smtp sink instead of running tests, so that
// benchmarks measure a client and a server in separate processes, as in production.
const sinkProcessEnv = "CLEARLIST_DELIVER_SINK"

func TestMain(m *testing.M) {
	if os.Getenv(sinkProcessEnv) == "1" {
		runSinkProcess()
		return
	}
	os.Exit(m.Run())
}

// runSinkProcess serves a discarding sink, prints its address, and exits when stdin closes.
func runSinkProcess() {
	k := &sink{discard: true}
	srv := smtp.NewServer(k)
	srv.Domain = "sink.test"
	srv.MaxMessageBytes = 10 << 20
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr().String())
	go srv.Serve(ln)
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
	os.Exit(0)
}

// startSinkProcess runs the sink in a child process and returns its address.
func startSinkProcess(tb testing.TB) string {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), sinkProcessEnv+"=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		tb.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		tb.Fatalf("sink process: %v", err)
	}
	return strings.TrimSpace(line)
}
