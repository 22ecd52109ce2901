package app

import (
	"context"
	"errors"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/workspace"
)

// TestServeInbound runs serve with --inbound: the SMTP server takes mail for the
// workspaces' bounce.domain and inbound.domains only, and stops with serve.
func TestServeInbound(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string) {
		a := openApp(t, dsn)
		ctx := context.Background()
		if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, workspace.SettingBounceDomain, "Bounce.Example"); err != nil {
			t.Fatal(err)
		}
		if err := a.Workspaces.SetSetting(ctx, a.Workspace.ID, workspace.SettingInboundDomains, "replies.example, news.example"); err != nil {
			t.Fatal(err)
		}
		if d, err := a.InboundDomains(ctx); err != nil || !slices.Equal(d, []string{"bounce.example", "news.example", "replies.example"}) {
			t.Fatalf("InboundDomains = %v, %v", d, err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a.Cfg.InboundAddr = ln.Addr().String()
		ln.Close()
		_, stop := startServer(t, a)

		var c *smtp.Client
		for deadline := time.Now().Add(20 * time.Second); c == nil; { // serve starts in the background
			if c, err = smtp.Dial(a.Cfg.InboundAddr); err != nil && time.Now().After(deadline) {
				t.Fatalf("the inbound server did not start: %v", err)
			}
			time.Sleep(10 * time.Millisecond)
		}
		defer c.Close()
		if err := c.Mail("", nil); err != nil {
			t.Fatal(err)
		}
		for rcpt, want := range map[string]int{"bounces+1@bounce.example": 0, "ann@replies.example": 0, "x@foreign.example": 550} {
			err := c.Rcpt(rcpt, nil)
			var se *smtp.SMTPError
			if got := 0; errors.As(err, &se) {
				got = se.Code
				if got != want {
					t.Errorf("RCPT %s: %d, want %d", rcpt, got, want)
				}
			} else if err != nil || want != 0 {
				t.Errorf("RCPT %s: %v, want %d", rcpt, err, want)
			}
		}
		c.Quit()
		stop()
		if c, err := smtp.Dial(a.Cfg.InboundAddr); err == nil {
			c.Close()
			t.Error("the inbound server still answers after serve stopped")
		}
	})
}
