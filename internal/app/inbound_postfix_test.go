package app

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/inbound/postfixtest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/workspace"
)

// TestServeInboundPostfix: a campaign message goes out through a real Postfix (the relay)
// to a local user that does not exist; Postfix bounces it and delivers the DSN, addressed
// to the message's VERP return path in the workspace's bounce.domain, to serve's inbound
// SMTP server; the bounce service parses it and the contact ends bounced and on the
// do-not-contact list (reason hard-bounce), its event in the campaign's log.
func TestServeInboundPostfix(t *testing.T) {
	postfixtest.Binary(t)
	ctx := context.Background()
	a := openApp(t, "file:"+t.TempDir()+"/c.db")
	ws := a.Workspace.ID
	a.Cfg.DataDir = t.TempDir()
	if err := a.Workspaces.SetSetting(ctx, ws, workspace.SettingBounceDomain, "sender.test"); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a.Cfg.InboundAddr, a.Cfg.InboundHostname = ln.Addr().String(), "inbound.clearlist.test"
	ln.Close()
	pf := postfixtest.Start(t, postfixtest.Options{BounceDomain: "sender.test", Relay: a.Cfg.InboundAddr})
	a.Cfg.SMTPAddr, a.Cfg.SMTPTLS = pf.Addr, "none"
	authSender(t, a, "sender.test", true) // rebuilds the campaign service with Postfix as its relay

	rcpt := "nosuchuser@" + postfixtest.LocalDomain
	importFile(t, a, writeFile(t, "p.csv", []byte("email\n"+rcpt+"\n")), func(r *contact.ImportRequest) { r.List = "news" })
	c, err := a.st.ContactByEmail(ctx, ws, rcpt)
	if err != nil {
		t.Fatal(err)
	}
	ledger(t, a, c, "product-updates", consent.Email, "gc")
	list, err := a.Contacts.ListByName(ctx, ws, "news")
	if err != nil {
		t.Fatal(err)
	}
	camp, err := a.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: ws, Name: "To nobody", Purpose: "product-updates",
		Lists: []int64{list.ID}, FromName: "Sender News", FromAddress: "news@sender.test",
		Content: campaign.Content{Subject: "Hello", HTML: "<p>Hello.</p>"}})
	if err != nil {
		t.Fatal(err)
	}

	base, stop := startServer(t, a)
	defer stop()
	waitStarted(t, base)
	waitFor(t, func() bool {
		a.queue.mu.Lock()
		defer a.queue.mu.Unlock()
		return a.queue.serve != nil
	})
	if _, err := a.Campaigns.Start(ctx, ws, camp.ID); err != nil {
		t.Fatal(err)
	}
	waitFinished(t, a, camp.ID, time.Minute)

	// Postfix bounces the message and hands the DSN to serve (bounded waits, not timing checks).
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(200 * time.Millisecond) {
		on, err := a.Suppressions.SuppressionsFor(ctx, ws, string(suppress.KindEmail), rcpt)
		if err != nil {
			t.Fatal(err)
		}
		if len(on) > 0 {
			if on[0].Reason != string(suppress.ReasonHardBounce) {
				t.Errorf("entry %+v: want reason hard-bounce", on[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the contact was never suppressed; postfix's log:\n%s", pf.Log())
		}
		_ = pf.Flush()
	}
	got, err := a.Contacts.Contact(ctx, ws, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != contact.StatusBounced {
		t.Errorf("contact status %q, want bounced", got.Status)
	}
	if log := pf.Log(); !strings.Contains(log, "status=bounced") {
		t.Errorf("postfix did not log the bounce:\n%s", log)
	}
}
