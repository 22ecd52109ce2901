package deliver

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// conn is one SMTP client connection. It is ours rather than go-smtp's Client because the
// pool needs three things that client hides: PIPELINING (MAIL, RCPT and DATA in one round
// trip, which is most of the speed on a fast relay), the difference between a write that
// failed (the relay cannot have the message) and a reply that never came (it may), and
// reuse across messages with RSET after a failed transaction.
type conn struct {
	nc         net.Conn
	br         *bufio.Reader
	bw         *bufio.Writer
	relay      string
	timeout    time.Duration
	pipelining bool
	smtputf8   bool
	auth       []string // AUTH mechanisms offered
	starttls   bool
	sent       int       // messages sent on this connection
	idleSince  time.Time // when it went back to the pool
	broken     bool      // unusable: close instead of reusing
}

// dial connects to the relay, says EHLO, secures the connection and authenticates.
func dial(ctx context.Context, r *Relay) (*conn, error) {
	timeout := r.timeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nc, err := (&net.Dialer{}).DialContext(ctx, "tcp", r.Addr)
	if err != nil {
		return nil, relayFault(netError(r.name(), "connect", err, false))
	}
	if r.TLS == TLSImplicit {
		tc := tls.Client(nc, r.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			nc.Close()
			return nil, relayFault(netError(r.name(), "tls", err, false))
		}
		nc = tc
	}
	c := &conn{relay: r.name(), timeout: timeout}
	c.setConn(nc)
	if err := c.handshake(ctx, r); err != nil {
		nc.Close()
		return nil, err
	}
	return c, nil
}

func relayFault(e *SendError) *SendError {
	e.RelayFault = true
	return e
}

func (c *conn) setConn(nc net.Conn) {
	c.nc = nc
	c.br = bufio.NewReaderSize(nc, 4096)
	c.bw = bufio.NewWriterSize(nc, 16<<10)
}

func (c *conn) handshake(ctx context.Context, r *Relay) error {
	if dl, ok := ctx.Deadline(); ok {
		c.nc.SetDeadline(dl)
	}
	defer c.nc.SetDeadline(time.Time{})
	if rep, err := c.readReply(); err != nil {
		return relayFault(netError(c.relay, "hello", err, false))
	} else if rep.code != 220 {
		return relayFault(replyError(c.relay, "hello", rep))
	}
	hello := r.HelloName
	if hello == "" {
		hello = "localhost"
	}
	if err := c.ehlo(hello); err != nil {
		return err
	}
	if r.TLS == TLSStartTLS || r.TLS == "" {
		if !c.starttls {
			return relayFault(&SendError{Relay: c.relay, Stage: "tls", Temporary: true,
				Message: "the relay does not offer STARTTLS (set the TLS mode to none only for a relay on this machine)"})
		}
		if _, err := c.cmd(220, "tls", "STARTTLS"); err != nil {
			return relayFault(err.(*SendError))
		}
		tc := tls.Client(c.nc, r.tlsConfig())
		if err := tc.HandshakeContext(ctx); err != nil {
			return relayFault(netError(c.relay, "tls", fmt.Errorf("STARTTLS: %w", err), false))
		}
		c.setConn(tc)
		if dl, ok := ctx.Deadline(); ok {
			c.nc.SetDeadline(dl)
		}
		if err := c.ehlo(hello); err != nil {
			return err
		}
	}
	if r.Username != "" {
		if err := c.authenticate(r); err != nil {
			return err
		}
	}
	if r.DisablePipelining {
		c.pipelining = false
	}
	return nil
}

func (c *conn) ehlo(name string) error {
	rep, err := c.cmd(250, "hello", "EHLO "+name)
	if err != nil {
		return relayFault(err.(*SendError))
	}
	c.pipelining, c.smtputf8, c.starttls, c.auth = false, false, false, nil
	for _, line := range strings.Split(rep.text, "\n")[1:] {
		kw, args, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch strings.ToUpper(kw) {
		case "PIPELINING":
			c.pipelining = true
		case "SMTPUTF8":
			c.smtputf8 = true
		case "STARTTLS":
			c.starttls = true
		case "AUTH":
			c.auth = strings.Fields(strings.ToUpper(args))
		}
	}
	return nil
}

// cmd sends one command and wants the code; any other reply or a network error is a
// *SendError (network errors also mark the connection broken).
func (c *conn) cmd(want int, stage, line string) (reply, error) {
	rep, err := c.cmdAny(stage, line)
	if err == nil && rep.code != want {
		return rep, replyError(c.relay, stage, rep)
	}
	return rep, err
}

func (c *conn) cmdAny(stage, line string) (reply, error) {
	c.bw.WriteString(line)
	c.bw.WriteString("\r\n")
	if err := c.bw.Flush(); err != nil {
		c.broken = true
		return reply{}, netError(c.relay, stage, err, false)
	}
	rep, err := c.readReply()
	if err != nil {
		c.broken = true
		return reply{}, netError(c.relay, stage, err, false)
	}
	return rep, nil
}

var errMalformedReply = errors.New("malformed reply")

// readReply reads one (possibly multi-line) reply. Its text keeps the lines joined with "\n"
// and, when the relay sent one, the enhanced status code taken out of the first line.
func (c *conn) readReply() (reply, error) {
	var rep reply
	var text strings.Builder
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			if err == bufio.ErrBufferFull {
				return rep, errMalformedReply
			}
			return rep, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) < 3 || line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9' {
			return rep, errMalformedReply
		}
		code := int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
		if rep.code != 0 && code != rep.code {
			return rep, errMalformedReply
		}
		rep.code = code
		var rest []byte
		if len(line) > 4 {
			rest = line[4:]
		}
		if text.Len() > 0 {
			text.WriteByte('\n')
		}
		text.Write(rest)
		if len(line) == 3 || line[3] == ' ' {
			break
		}
	}
	rep.text = text.String()
	if sp := strings.IndexByte(rep.text, ' '); sp > 0 && isEnhancedCode(rep.text[:sp]) {
		rep.enhanced, rep.text = rep.text[:sp], rep.text[sp+1:]
	}
	return rep, nil
}

// isEnhancedCode matches RFC 3463 codes such as 4.7.0 or 5.1.10.
func isEnhancedCode(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || (parts[0][0] != '2' && parts[0][0] != '4' && parts[0][0] != '5') {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) == 0 || len(p) > 3 {
			return false
		}
		for i := 0; i < len(p); i++ {
			if p[i] < '0' || p[i] > '9' {
				return false
			}
		}
	}
	return true
}

// reset ends a failed transaction so the connection can carry the next message.
func (c *conn) reset() {
	if _, err := c.cmd(250, "rset", "RSET"); err != nil {
		c.broken = true
	}
}

// quit says goodbye without waiting long for the answer and closes the connection.
func (c *conn) quit() {
	if !c.broken {
		c.nc.SetDeadline(time.Now().Add(time.Second))
		c.cmdAny("quit", "QUIT")
	}
	c.nc.Close()
}
