package app

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/inbound/postfixtest"
	"github.com/clearlist/clearlist/internal/workspace"
)

// TestServeInboundPostfix: a real Postfix bounces a message to a local user that does not
// exist and delivers the DSN, addressed to the VERP return path in the workspace's
// bounce.domain, to serve's inbound SMTP server.
//
// Until the bounce service is wired in (App.IngestMessage), serve answers 451 and Postfix
// keeps the DSN queued: nothing is lost. At the merge this test checks instead that the
// DSN is taken in (status=sent) and the contact ends suppressed.
func TestServeInboundPostfix(t *testing.T) {
	postfixtest.Binary(t)
	a := openApp(t, "file:"+t.TempDir()+"/c.db")
	ctx := context.Background()
	if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, workspace.SettingBounceDomain, "bounce.example"); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a.Cfg.InboundAddr, a.Cfg.InboundHostname = ln.Addr().String(), "inbound.clearlist.test"
	ln.Close()
	base, stop := startServer(t, a)
	defer stop()
	waitStarted(t, base)
	pf := postfixtest.Start(t, postfixtest.Options{BounceDomain: "bounce.example", Relay: a.Cfg.InboundAddr})

	const verp = "bounces+1.1.1.tok@bounce.example"
	c, err := smtp.Dial(pf.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.SendMail(verp, []string{"nosuchuser@" + postfixtest.LocalDomain},
		strings.NewReader("From: news@sender.example\r\nSubject: hi\r\n\r\nHello.\r\n")); err != nil {
		t.Fatalf("postfix refused the message: %v\n%s", err, pf.Log())
	}
	// Postfix logs the DSN's delivery attempt to our server (a bound, not a timing check).
	want := "to=<" + verp + ">, relay=127.0.0.1[127.0.0.1]:" + a.Cfg.InboundAddr[strings.LastIndexByte(a.Cfg.InboundAddr, ':')+1:]
	var line string
	for deadline := time.Now().Add(2 * time.Minute); line == ""; time.Sleep(100 * time.Millisecond) {
		for _, l := range strings.Split(pf.Log(), "\n") {
			if strings.Contains(l, want) {
				line = l
			}
		}
		if line == "" && time.Now().After(deadline) {
			t.Fatalf("the DSN never reached serve's inbound server; postfix's log:\n%s", pf.Log())
		}
	}
	if !strings.Contains(line, "status=deferred") || !strings.Contains(line, "451 4.3.0") {
		t.Errorf("the DSN's delivery: %s\nwant it deferred with 451 until bounce processing is wired", line)
	}
}
