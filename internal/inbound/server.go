package inbound

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// The defaults of Options.
const (
	DefaultMaxMessageBytes = 10 << 20 // 10 MB: a DSN or a reply, with the returned message
	DefaultMaxRecipients   = 100      // RFC 5321 §4.5.3.1.8: a server must accept at least 100
	DefaultMaxConnections  = 100
	DefaultReadTimeout     = 5 * time.Minute // RFC 5321 §4.5.3.2.7: the server waits 5 minutes for a command
	DefaultWriteTimeout    = time.Minute
	DefaultIngestTimeout   = time.Minute
	DefaultShutdownGrace   = 30 * time.Second
	DefaultDomainsTTL      = 30 * time.Second
	DefaultBatchMessages   = 500                  // messages of one batch (one transaction), as the Maildir poller
	DefaultBatchLinger     = 2 * time.Millisecond // a batch's wait for the messages still being read
	DefaultPendingBytes    = 64 << 20             // bytes of the messages read and not yet answered, all sessions
)

// Options configure the SMTP server; zero values take the defaults.
type Options struct {
	Hostname        string // the name in the greeting; default the host name
	MaxMessageBytes int64  // larger messages are refused with 552, without being kept
	MaxRecipients   int    // recipients of one message; more get 452
	MaxConnections  int    // connections at once; more get 421 and are closed
	// ReadTimeout bounds the wait for each command and for the whole of a message's data
	// (go-smtp sets the deadline when DATA is read); WriteTimeout bounds each answer.
	ReadTimeout, WriteTimeout time.Duration
	IngestTimeout             time.Duration // time the Sink has for one message
	ShutdownGrace             time.Duration // time open sessions get to finish at shutdown
	DomainsTTL                time.Duration // how long the list of our domains is reused
	TLS                       *tls.Config   // offers STARTTLS when set
	Logger                    *slog.Logger
	// BatchMessages bounds a batch of the group commit; BatchLinger is how long a batch
	// waits for the messages other sessions are still reading (not at all when none is).
	BatchMessages int
	BatchLinger   time.Duration
	// PendingBytes bounds the bytes of the messages read or being read and not yet answered,
	// over all sessions; a message that would go over it is answered 452 (retry later). It
	// is at least MaxMessageBytes and 64 KiB (the trace headers), so a lone message fits.
	PendingBytes int64
}

func (o Options) withDefaults() Options {
	if o.Hostname == "" {
		o.Hostname, _ = os.Hostname()
		o.Hostname = cmp.Or(o.Hostname, "localhost")
	}
	o.MaxMessageBytes = cmp.Or(o.MaxMessageBytes, DefaultMaxMessageBytes)
	o.MaxRecipients = cmp.Or(o.MaxRecipients, DefaultMaxRecipients)
	o.MaxConnections = cmp.Or(o.MaxConnections, DefaultMaxConnections)
	o.ReadTimeout = cmp.Or(o.ReadTimeout, DefaultReadTimeout)
	o.WriteTimeout = cmp.Or(o.WriteTimeout, DefaultWriteTimeout)
	o.IngestTimeout = cmp.Or(o.IngestTimeout, DefaultIngestTimeout)
	o.ShutdownGrace = cmp.Or(o.ShutdownGrace, DefaultShutdownGrace)
	o.DomainsTTL = cmp.Or(o.DomainsTTL, DefaultDomainsTTL)
	o.BatchMessages = max(cmp.Or(o.BatchMessages, DefaultBatchMessages), 1)
	o.BatchLinger = cmp.Or(o.BatchLinger, DefaultBatchLinger)
	o.PendingBytes = max(cmp.Or(o.PendingBytes, DefaultPendingBytes), o.MaxMessageBytes+64<<10)
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Server is the inbound SMTP server: it takes mail for our domains only and hands each
// message to the Sink before it answers 250, so that a message it accepted is stored. The
// messages of concurrent sessions are stored together, one transaction a batch, when the
// Sink takes batches (BatchSink; see batcher).
type Server struct {
	domains *domainCache
	o       Options
	smtp    *smtp.Server
	base    context.Context // the context ingestion runs in (not cancelled by shutdown)
	batch   *batcher

	mu       sync.Mutex
	sessions map[*session]bool
}

// NewServer builds a server that gives what it receives to sink.
func NewServer(sink Sink, domains Domains, o Options) *Server {
	o = o.withDefaults()
	s := &Server{o: o, domains: &domainCache{src: domains, ttl: o.DomainsTTL}, base: context.Background(),
		sessions: map[*session]bool{}}
	s.batch = newBatcher(sink, o, func() context.Context { return s.base })
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = o.Hostname
	srv.MaxMessageBytes = o.MaxMessageBytes
	srv.MaxRecipients = o.MaxRecipients
	srv.ReadTimeout, srv.WriteTimeout = o.ReadTimeout, o.WriteTimeout
	srv.TLSConfig = o.TLS
	srv.ErrorLog = log.New(slogWriter{o.Logger}, "", 0)
	s.smtp = srv
	return s
}

// Serve answers on ln until ctx is cancelled; then it stops accepting and lets the open
// sessions finish for up to the shutdown grace (a message being stored is stored). After
// it, the messages still waiting for their batch are answered 421, the batch being written
// is finished and answered, and the connections left are closed.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	s.base = context.WithoutCancel(ctx)
	go s.batch.run()
	defer s.batch.stop()
	ln = limitListener(ln, s.o.MaxConnections, s.o.WriteTimeout)
	errc := make(chan error, 1)
	go func() { errc <- s.smtp.Serve(ln) }()
	s.o.Logger.Info("inbound SMTP serving", "addr", ln.Addr().String(), "starttls", s.o.TLS != nil,
		"max_message_bytes", s.o.MaxMessageBytes)
	select {
	case err := <-errc:
		return fmt.Errorf("inbound SMTP on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.o.ShutdownGrace)
	defer cancel()
	if err := s.smtp.Shutdown(grace); err != nil {
		s.o.Logger.Warn("inbound SMTP: sessions still open after the grace period; closing them", "err", err)
		s.batch.stop()
		s.closeSessions() // go-smtp's Close does nothing after Shutdown
	}
	<-errc
	s.o.Logger.Info("inbound SMTP stopped")
	return nil
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	x := &session{s: s, remote: c.Conn().RemoteAddr().String(), helo: c.Hostname(), conn: c}
	s.mu.Lock()
	s.sessions[x] = true
	s.mu.Unlock()
	return x, nil
}

func (s *Server) endSession(x *session) {
	s.mu.Lock()
	delete(s.sessions, x)
	s.mu.Unlock()
	x.answered()
}

// answerGrace is how long closeSessions waits for the answers being written.
const answerGrace = 5 * time.Second

// closeSessions closes the connections still open; one whose message's answer is being
// written (the batcher is stopped: every answer is decided) is closed once it is written,
// so that a 250 reaches the sender.
func (s *Server) closeSessions() {
	s.mu.Lock()
	open := make(map[*session]chan struct{}, len(s.sessions))
	for x := range s.sessions {
		open[x] = x.answering
	}
	s.mu.Unlock()
	deadline := time.NewTimer(answerGrace)
	defer deadline.Stop()
	for x, answering := range open {
		if answering != nil {
			select {
			case <-answering:
			case <-deadline.C:
			}
		}
		x.conn.Close() // calls Logout, which takes s.mu
	}
}

var (
	errTryLater = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Temporary failure storing the message; try again later"}
	errRelayDenied = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
		Message: "Relay denied: this server takes mail for its own bounce and reply domains only"}
	errDomainsUnknown = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Temporary failure looking up the recipient domain; try again later"}
	errBadAddress = &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 1, 3},
		Message: "Bad recipient address syntax"}
)

// oneLine keeps an error's text fit for an SMTP reply: one line, bounded.
func oneLine(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e {
			b[i] = ' '
		}
	}
	if len(b) > 400 {
		b = b[:400]
	}
	return string(b)
}

// readData reads a message's data; the reader stops at the size limit (552), so that a
// message over it is never held whole.
func readData(r io.Reader, prefix []byte) ([]byte, error) {
	var buf bytes.Buffer
	buf.Write(prefix)
	if _, err := buf.ReadFrom(r); err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			return nil, se
		}
		return nil, fmt.Errorf("read message: %w", err)
	}
	return buf.Bytes(), nil
}

// slogWriter passes go-smtp's own log lines (connection errors) on at debug level.
type slogWriter struct{ l *slog.Logger }

func (w slogWriter) Write(p []byte) (int, error) {
	w.l.Debug("inbound SMTP", "msg", string(bytes.TrimSpace(p)))
	return len(p), nil
}
