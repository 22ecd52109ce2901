package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// SinkStats is what the sink received since its last reset: messages, and the arrival of
// the first and last of them (the end of their DATA).
type SinkStats struct {
	Messages int64     `json:"messages"`
	Bytes    int64     `json:"bytes"`
	First    time.Time `json:"first"`
	Last     time.Time `json:"last"`
}

// Rate is messages a second from the first arrival to the last.
func (s SinkStats) Rate() float64 {
	if s.Messages < 2 || !s.Last.After(s.First) {
		return 0
	}
	return float64(s.Messages-1) / s.Last.Sub(s.First).Seconds()
}

// RunSink is the sink process of `clearlist bench send` (`clearlist bench sink`): a go-smtp
// server on 127.0.0.1 that accepts and discards every message. It writes its address as the
// first line of out, then answers each line of in: "stats" with the SinkStats as JSON,
// "reset" by zeroing them ("ok"). It returns when in ends.
func RunSink(in io.Reader, out io.Writer) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	st := &sinkState{}
	srv := smtp.NewServer(st)
	srv.Domain = "sink.bench"
	srv.AllowInsecureAuth = true
	srv.MaxRecipients = 100
	srv.MaxMessageBytes = 64 << 20
	go srv.Serve(ln)
	defer srv.Close()
	fmt.Fprintln(out, ln.Addr().String())
	sc := bufio.NewScanner(in)
	for sc.Scan() {
		switch strings.TrimSpace(sc.Text()) {
		case "stats":
			st.mu.Lock()
			b, _ := json.Marshal(st.s)
			st.mu.Unlock()
			fmt.Fprintln(out, string(b))
		case "reset":
			st.mu.Lock()
			st.s = SinkStats{}
			st.mu.Unlock()
			fmt.Fprintln(out, "ok")
		}
	}
	return sc.Err()
}

type sinkState struct {
	mu sync.Mutex
	s  SinkStats
}

func (st *sinkState) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{st: st}, nil }

type sinkSession struct {
	st *sinkState
	n  int
}

func (s *sinkSession) Reset()                               { s.n = 0 }
func (s *sinkSession) Logout() error                        { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(string, *smtp.RcptOptions) error { s.n++; return nil }
func (s *sinkSession) Data(r io.Reader) error {
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return err
	}
	now := time.Now()
	s.st.mu.Lock()
	if s.st.s.Messages == 0 {
		s.st.s.First = now
	}
	s.st.s.Messages += int64(s.n)
	s.st.s.Bytes += n
	s.st.s.Last = now
	s.st.mu.Unlock()
	return nil
}

// Sink is the sink process seen from the benchmark.
type Sink struct {
	Addr string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
}

// StartSink starts `clearlist bench sink` (this executable) as a separate process; env
// adds to its environment (tests run their own binary as the sink through it).
func StartSink(env ...string) (*Sink, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe, "bench", "sink")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	outp, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the sink process: %w", err)
	}
	s := &Sink{cmd: cmd, in: in, out: bufio.NewReader(outp)}
	line, err := s.out.ReadString('\n')
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("the sink process did not start: %w", err)
	}
	s.Addr = strings.TrimSpace(line)
	return s, nil
}

func (s *Sink) ask(cmd string) (string, error) {
	if _, err := fmt.Fprintln(s.in, cmd); err != nil {
		return "", err
	}
	return s.out.ReadString('\n')
}

// Stats asks the sink what it received since the last reset.
func (s *Sink) Stats() (SinkStats, error) {
	var st SinkStats
	line, err := s.ask("stats")
	if err != nil {
		return st, err
	}
	return st, json.Unmarshal([]byte(line), &st)
}

// Reset zeroes the sink's counters.
func (s *Sink) Reset() error {
	_, err := s.ask("reset")
	return err
}

// Close ends the sink process.
func (s *Sink) Close() error {
	s.in.Close()
	return s.cmd.Wait()
}
