package inbound

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/bounce"
)

const dsnBody = "From: MAILER-DAEMON@mx.example\r\nTo: bounces+abc@bounce.example\r\nSubject: Undelivered Mail\r\n" +
	"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\r\n\r\n" +
	"--b\r\nContent-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n" +
	"--b\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n" +
	"Final-Recipient: rfc822; ann@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n\r\n--b--\r\n"

func dial(t *testing.T, addr string) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("sender.test"); err != nil {
		t.Fatal(err)
	}
	return c
}

// send runs one transaction and returns the error of the first step that failed.
func send(c *smtp.Client, from string, to []string, body io.Reader) error {
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	for _, r := range to {
		if err := c.Rcpt(r, nil); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, body); err != nil {
		return err
	}
	return w.Close()
}

func code(t *testing.T, err error) (int, smtp.EnhancedCode) {
	t.Helper()
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		t.Fatalf("want an SMTP error, got %v", err)
	}
	return se.Code, se.EnhancedCode
}

func TestServerStoresMailForOurDomains(t *testing.T) {
	sink := newSink()
	addr := startServer(t, sink, Options{})
	c := dial(t, addr)
	// Domains compare without case; the null sender is what DSNs come from.
	if err := send(c, "", []string{"bounces+abc@bounce.example", "team@replies.example"}, strings.NewReader(dsnBody)); err != nil {
		t.Fatal(err)
	}
	got := sink.messages()
	if len(got) != 1 || got[0].via != bounce.ViaSMTP {
		t.Fatalf("sink got %d messages (%+v), want 1 via smtp", len(got), got)
	}
	raw := string(got[0].raw)
	for _, want := range []string{"Return-Path: <>\r\n", "Delivered-To: bounces+abc@bounce.example\r\n",
		"Delivered-To: team@replies.example\r\n", "by inbound.test (clearlist) with ESMTP;"} {
		if !strings.Contains(raw, want) {
			t.Errorf("stored message lacks %q:\n%s", want, raw)
		}
	}
	if !strings.HasSuffix(raw, dsnBody) {
		t.Errorf("the message's own bytes changed:\n%s", raw)
	}
}

func TestServerRefusesRelay(t *testing.T) {
	sink := newSink()
	c := dial(t, startServer(t, sink, Options{}))
	for _, rcpt := range []string{"victim@foreign.example", "bounces@bounce.example.evil.test", "someone@sub.bounce.example", "nodomain@"} {
		if err := c.Mail("spammer@evil.test", nil); err != nil {
			t.Fatal(err)
		}
		err := c.Rcpt(rcpt, nil)
		n, ec := code(t, err)
		if rcpt == "nodomain@" {
			if n != 501 {
				t.Errorf("RCPT %s: %d, want 501", rcpt, n)
			}
		} else if n != 550 || ec != (smtp.EnhancedCode{5, 7, 1}) {
			t.Errorf("RCPT %s: %d %v, want 550 5.7.1", rcpt, n, ec)
		}
		if err := c.Reset(); err != nil {
			t.Fatal(err)
		}
	}
	// With no recipient of ours the message is never taken.
	if err := c.Mail("spammer@evil.test", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Data(); err == nil {
		t.Error("DATA without an accepted recipient was accepted")
	}
	if n := len(sink.messages()); n != 0 {
		t.Errorf("sink got %d messages from a relay attempt", n)
	}
}

// patternReader gives n bytes of mail-like lines without holding them.
type patternReader struct{ n, off int64 }

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.n {
		return 0, io.EOF
	}
	const line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz\r\n"
	if r.off == 0 {
		n := copy(p, "Subject: big\r\n\r\n")
		r.off += int64(n)
		return n, nil
	}
	k := min(int64(len(p)), r.n-r.off)
	for i := range k {
		p[i] = line[(r.off+i)%int64(len(line))]
	}
	r.off += k
	return int(k), nil
}

func TestServerRefusesTooLargeWithoutHoldingIt(t *testing.T) {
	sink := newSink()
	addr := startServer(t, sink, Options{}) // the default limit, 10 MB
	const size = 50 << 20
	c := dial(t, addr)

	// A client that says the size is refused at MAIL.
	if n, _ := code(t, c.Mail("", &smtp.MailOptions{Size: size})); n != 552 {
		t.Errorf("MAIL with SIZE=%d: %d, want 552", size, n)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}

	// One that does not is refused after the data, which the server reads and drops.
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	err := send(c, "", []string{"bounces+x@bounce.example"}, &patternReader{n: size})
	runtime.ReadMemStats(&after)
	if n, ec := code(t, err); n != 552 || ec != (smtp.EnhancedCode{5, 3, 4}) {
		t.Errorf("50 MB message: %d %v, want 552 5.3.4", n, ec)
	}
	if n := len(sink.messages()); n != 0 {
		t.Errorf("sink got %d messages", n)
	}
	// Client and server together allocated less than the message: it was never held whole.
	alloc := after.TotalAlloc - before.TotalAlloc
	if alloc >= size {
		t.Errorf("allocated %d MB while refusing a 50 MB message", alloc>>20)
	}
	t.Logf("refusing a 50 MB message allocated %.1f MB (client and server)", float64(alloc)/(1<<20))
	// The session goes on.
	if err := send(c, "", []string{"bounces+x@bounce.example"}, strings.NewReader(dsnBody)); err != nil {
		t.Fatalf("after the refused message: %v", err)
	}
}

func TestServerPassesBrokenMIME(t *testing.T) {
	sink := newSink()
	c := dial(t, startServer(t, sink, Options{}))
	broken := "Content-Type: multipart/report; boundary=\"never-closed\r\nX-Bad header\r\n\r\n--never-closed\r\nContent-Type: message/delivery-status\r\n\r\nStatus: 5.x.y\r\n\x00\xff\r\n"
	if err := send(c, "", []string{"bounces+x@bounce.example"}, strings.NewReader(broken)); err != nil {
		t.Fatal(err)
	}
	got := sink.messages()
	if len(got) != 1 || !bytes.HasSuffix(got[0].raw, []byte(broken)) {
		t.Fatalf("the broken message did not reach the sink as it was: %q", got)
	}
}

func TestServerLimitsRecipients(t *testing.T) {
	sink := newSink()
	c := dial(t, startServer(t, sink, Options{MaxRecipients: 3}))
	if err := c.Mail("", nil); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if err := c.Rcpt("bounces+"+string(rune('a'+i))+"@bounce.example", nil); err != nil {
			t.Fatal(err)
		}
	}
	if n, ec := code(t, c.Rcpt("bounces+d@bounce.example", nil)); n != 452 || ec != (smtp.EnhancedCode{4, 5, 3}) {
		t.Errorf("4th recipient: %d %v, want 452 4.5.3", n, ec)
	}
}

func TestServerClosesIdleClient(t *testing.T) {
	addr := startServer(t, newSink(), Options{ReadTimeout: 200 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// The bound only keeps a broken server from hanging the test.
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	r := bufio.NewReader(conn)
	greeting, _ := r.ReadString('\n')
	if !strings.HasPrefix(greeting, "220 ") {
		t.Fatalf("greeting %q", greeting)
	}
	// A client that starts a message and stops sending is told why, and dropped.
	io.WriteString(conn, "EHLO slow.test\r\n")
	for {
		l, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(l, "250 ") {
			break
		}
	}
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "421 4.4.2") {
		t.Fatalf("after idling: %q, %v; want 421 4.4.2", line, err)
	}
	if _, err := r.ReadString('\n'); err != io.EOF {
		t.Errorf("the connection stayed open: %v", err)
	}
}

func TestServerIngestErrors(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code int
	}{
		{errors.New("database is locked"), 451},
		{permanentErr{"message has no headers"}, 554},
	} {
		sink := newSink()
		sink.err = tc.err
		c := dial(t, startServer(t, sink, Options{}))
		err := send(c, "", []string{"bounces+x@bounce.example"}, strings.NewReader(dsnBody))
		n, _ := code(t, err)
		if n != tc.code {
			t.Errorf("sink error %v: %d, want %d", tc.err, n, tc.code)
		}
		// A transient error's text (which may name the database) is not shown to the sender.
		if se := err.(*smtp.SMTPError); tc.code == 451 && strings.Contains(se.Message, "database") {
			t.Errorf("451 leaks the error: %q", se.Message)
		}
	}
}

func TestServerLimitsConnections(t *testing.T) {
	addr := startServer(t, newSink(), Options{MaxConnections: 2})
	for range 2 {
		dial(t, addr) // each has had its greeting: it holds a place
	}
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "421 4.7.0") {
		t.Fatalf("third connection: %q, %v; want 421 4.7.0", line, err)
	}
}

// A message being received when the server is told to stop is still stored and answered
// 250; new connections are not taken any more.
func TestServerShutdownFinishesMessage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	sink := newSink()
	sink.gate = make(chan struct{})
	srv := NewServer(sink, ourDomains("bounce.example"), Options{Hostname: "inbound.test"})
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx, ln) }()

	c := dial(t, ln.Addr().String())
	result := make(chan error, 1)
	go func() { result <- send(c, "", []string{"bounces+x@bounce.example"}, strings.NewReader(dsnBody)) }()
	// The message is with the sink (waiting at its gate) when the server is stopped.
	<-sink.atGate
	cancel()
	for {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break // the listener is closed
		}
		conn.Close()
		runtime.Gosched()
	}
	close(sink.gate)
	if err := <-result; err != nil {
		t.Errorf("the message being received at shutdown: %v", err)
	}
	if len(sink.messages()) != 1 {
		t.Error("the message being received at shutdown was not stored")
	}
	c.Quit()
	if err := <-served; err != nil {
		t.Error(err)
	}
}
