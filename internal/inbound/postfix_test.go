package inbound

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/inbound/postfixtest"
)

// TestPostfixDSN sends a message through a real Postfix to a local user that does not
// exist: Postfix bounces it, and its delivery status notification, addressed to the VERP
// return path, reaches the inbound server as a multipart/report for that recipient.
func TestPostfixDSN(t *testing.T) {
	postfixtest.Binary(t)
	sink := newSink()
	addr := startServer(t, sink, Options{Hostname: "inbound.clearlist.test"})
	pf := postfixtest.Start(t, postfixtest.Options{BounceDomain: "bounce.example", Relay: addr})

	const rcpt = "nosuchuser@" + postfixtest.LocalDomain
	const verp = "bounces+1.2.3.tok@bounce.example"
	c, err := smtp.Dial(pf.Addr)
	if err != nil {
		t.Fatalf("connect to postfix: %v\n%s", err, pf.Log())
	}
	defer c.Close()
	msg := "From: News <news@sender.example>\r\nTo: " + rcpt + "\r\nSubject: hello\r\nMessage-ID: <m1@sender.example>\r\n\r\nHello.\r\n"
	if err := send(c, verp, []string{rcpt}, strings.NewReader(msg)); err != nil {
		t.Fatalf("postfix refused the message: %v\n%s", err, pf.Log())
	}
	c.Quit()

	// A bound, not a timing assertion: Postfix delivers in well under a second here.
	select {
	case <-sink.got1:
	case <-time.After(2 * time.Minute):
		t.Fatalf("no DSN reached the inbound server; postfix's log:\n%s", pf.Log())
	}
	raw := sink.messages()[0].raw
	if !bytes.Contains(raw, []byte("Delivered-To: "+verp+"\r\n")) {
		t.Errorf("the DSN was not addressed to the VERP return path:\n%s", raw)
	}
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	ct, params, _ := e.Header.ContentType()
	if ct != "multipart/report" || params["report-type"] != "delivery-status" {
		t.Fatalf("Content-Type %s %v, want multipart/report; report-type=delivery-status", ct, params)
	}
	var status string
	mr := e.MultipartReader()
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if pct, _, _ := p.Header.ContentType(); pct == "message/delivery-status" {
			b, _ := io.ReadAll(p.Body)
			status = string(b)
		}
	}
	for _, want := range []string{"Final-Recipient: rfc822; " + rcpt, "Action: failed", "Status: 5.1.1"} {
		if !strings.Contains(status, want) {
			t.Errorf("delivery status lacks %q:\n%s", want, status)
		}
	}
}
