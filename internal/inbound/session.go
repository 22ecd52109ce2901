package inbound

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// session is one SMTP transaction after another on one connection.
type session struct {
	s      *Server
	conn   *smtp.Conn
	remote string
	helo   string
	from   string
	rcpts  []string
	// answering is open from DATA until the answer is written (go-smtp resets the session
	// after writing it); under the server's mu.
	answering chan struct{}
}

func (x *session) Reset()        { x.from, x.rcpts = "", nil; x.answered() }
func (x *session) Logout() error { x.s.endSession(x); return nil }

func (x *session) answered() {
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.answering != nil {
		close(x.answering)
		x.answering = nil
	}
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from // DSNs come from the null sender <>
	x.rcpts = nil
	return nil
}

// Rcpt takes a recipient in one of our domains only: the server is never an open relay.
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	at := strings.LastIndexByte(to, '@')
	if at <= 0 || at == len(to)-1 {
		return errBadAddress
	}
	ours, err := x.s.domains.has(x.s.base, to[at+1:])
	if err != nil {
		x.s.o.Logger.Error("inbound SMTP: our domains are unknown", "err", err)
		return errDomainsUnknown
	}
	if !ours {
		x.s.o.Logger.Info("inbound SMTP: relay denied", "remote", x.remote, "rcpt", to)
		return errRelayDenied
	}
	x.rcpts = append(x.rcpts, to)
	return nil
}

// Data reads the message (up to the size limit) and answers once it is stored, with the
// messages of the other sessions in the same batch; the envelope is kept as trace headers
// on top, as a mail server delivering it to a mailbox would: Return-Path, one Delivered-To
// per recipient and a Received line.
func (x *session) Data(r io.Reader) error {
	x.s.mu.Lock()
	x.answering = make(chan struct{})
	x.s.mu.Unlock()
	br := x.s.batch.startReading(r)
	defer br.release()
	trace := x.trace()
	br.reserve(len(trace))
	raw, err := readData(br, trace)
	if err != nil {
		x.s.batch.stopReading()
		x.s.o.Logger.Info("inbound SMTP: message not read", "remote", x.remote, "err", err)
		return err
	}
	log := x.s.o.Logger.With(slog.String("remote", x.remote), slog.String("from", x.from), slog.Any("rcpt", x.rcpts))
	return x.s.batch.submit(raw, log)
}

func (x *session) trace() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Return-Path: <%s>\r\n", headerSafe(x.from))
	for _, r := range x.rcpts {
		fmt.Fprintf(&b, "Delivered-To: %s\r\n", headerSafe(r))
	}
	with := "ESMTP"
	if _, tls := x.conn.TLSConnectionState(); tls {
		with = "ESMTPS"
	}
	fmt.Fprintf(&b, "Received: from %s (%s)\r\n\tby %s (clearlist) with %s;\r\n\t%s\r\n",
		headerSafe(x.helo), headerSafe(x.remote), x.s.o.Hostname, with, time.Now().UTC().Format(time.RFC1123Z))
	return []byte(b.String())
}

// headerSafe keeps what a client sent from breaking out of a header line.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
