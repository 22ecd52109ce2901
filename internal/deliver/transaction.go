package deliver

import (
	"bufio"
	"bytes"
	"context"
	"time"
)

// send runs one mail transaction. It returns nil when the relay accepted the message, or a
// *SendError saying what happened; afterwards c.broken tells whether c may be reused.
func (c *conn) send(ctx context.Context, from, to string, data []byte) *SendError {
	deadline := time.Now().Add(c.timeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	c.nc.SetDeadline(deadline)
	if ctx.Done() != nil {
		// A cancelled context interrupts a blocked read or write at once.
		stop := context.AfterFunc(ctx, func() { c.nc.SetDeadline(time.Unix(1, 0)) })
		defer func() {
			if !stop() {
				c.broken = true // the past deadline may land on the next transaction
			}
		}()
	}
	mailLine := "MAIL FROM:<" + from + ">"
	if c.smtputf8 && (!isPlainASCII(from) || !isPlainASCII(to)) {
		mailLine += " SMTPUTF8"
	} else if !isPlainASCII(from) || !isPlainASCII(to) {
		return &SendError{Relay: c.relay, Stage: "mail", Message: "the relay does not accept non-ASCII addresses (no SMTPUTF8)"}
	}
	if c.pipelining {
		return c.sendPipelined(mailLine, to, data)
	}
	if err := c.step(250, "mail", mailLine); err != nil {
		return err
	}
	if err := c.step(250, "rcpt", "RCPT TO:<"+to+">"); err != nil {
		return err
	}
	if err := c.step(354, "data", "DATA"); err != nil {
		return err
	}
	return c.body(data)
}

// step sends one command of the transaction; a refusal resets the transaction.
func (c *conn) step(want int, stage, line string) *SendError {
	rep, err := c.cmdAny(stage, line)
	if err != nil {
		return err.(*SendError)
	}
	if rep.code == want || stage == "rcpt" && rep.code == 251 {
		return nil
	}
	c.afterRefusal(rep)
	return replyError(c.relay, stage, rep)
}

// afterRefusal keeps the connection usable after a refused command: 421 means the relay is
// closing it; anything else leaves a half-open transaction that RSET clears.
func (c *conn) afterRefusal(rep reply) {
	if rep.code == 421 {
		c.broken = true
		return
	}
	c.reset()
}

// sendPipelined writes MAIL, RCPT and DATA at once (RFC 2920) and then reads their replies.
func (c *conn) sendPipelined(mailLine, to string, data []byte) *SendError {
	c.bw.WriteString(mailLine)
	c.bw.WriteString("\r\nRCPT TO:<")
	c.bw.WriteString(to)
	c.bw.WriteString(">\r\nDATA\r\n")
	if err := c.bw.Flush(); err != nil {
		c.broken = true
		return netError(c.relay, "mail", err, false)
	}
	var refused *SendError
	var refusedReply reply
	for _, st := range [3]struct {
		stage string
		want  int
	}{{"mail", 250}, {"rcpt", 250}, {"data", 354}} {
		rep, err := c.readReply()
		if err != nil {
			c.broken = true
			if refused != nil {
				return refused // typically 421 and a closed connection: the reply says why
			}
			return netError(c.relay, st.stage, err, false)
		}
		ok := rep.code == st.want || st.stage == "rcpt" && rep.code == 251
		switch {
		case ok && st.stage == "data" && refused != nil:
			// A relay that refused the sender or recipient yet opened DATA: end the empty
			// message at once; with no valid recipient it goes nowhere.
			c.bw.WriteString(".\r\n")
			if err := c.bw.Flush(); err != nil {
				c.broken = true
			} else if _, err := c.readReply(); err != nil {
				c.broken = true
			}
		case !ok && refused == nil:
			refused, refusedReply = replyError(c.relay, st.stage, rep), rep
		}
	}
	if refused != nil {
		if !c.broken {
			c.afterRefusal(refusedReply)
		}
		return refused
	}
	return c.body(data)
}

var dotCRLF = []byte(".\r\n")

// body writes the message and the terminating dot and reads the verdict. A failed write
// leaves the relay without the terminator, so it cannot have accepted the message; a reply
// that never comes after a complete write is an unknown outcome.
func (c *conn) body(data []byte) *SendError {
	if err := writeDotStuffed(c.bw, data); err != nil {
		c.broken = true
		return netError(c.relay, "message", err, false)
	}
	if err := c.bw.Flush(); err != nil {
		c.broken = true
		return netError(c.relay, "message", err, false)
	}
	rep, err := c.readReply()
	if err != nil {
		c.broken = true
		return netError(c.relay, "message", err, true)
	}
	c.sent++
	if rep.code != 250 {
		if rep.code == 421 {
			c.broken = true
		}
		return replyError(c.relay, "message", rep)
	}
	return nil
}

// writeDotStuffed writes data (CRLF line ends) with lines starting with a dot doubled, then
// the terminator. Built messages have no such lines (see appendQP), so this is one write.
func writeDotStuffed(w *bufio.Writer, data []byte) error {
	needCRLF := len(data) > 0 && !bytes.HasSuffix(data, []byte("\r\n"))
	if len(data) > 0 && data[0] == '.' {
		w.WriteByte('.')
	}
	for {
		i := bytes.Index(data, []byte("\n."))
		if i < 0 {
			break
		}
		w.Write(data[:i+2])
		w.WriteByte('.')
		data = data[i+2:]
	}
	w.Write(data)
	if needCRLF {
		w.WriteString("\r\n")
	}
	_, err := w.Write(dotCRLF)
	return err
}
