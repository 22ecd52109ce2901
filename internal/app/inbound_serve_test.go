package app

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/jobs"
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
		if d, err := a.Workspaces.InboundDomains(ctx); err != nil || !slices.Equal(d, []string{"bounce.example", "news.example", "replies.example"}) {
			t.Fatalf("InboundDomains = %v, %v", d, err)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		a.Cfg.InboundAddr = ln.Addr().String()
		ln.Close()
		base, stop := startServer(t, a)
		waitStarted(t, base)
		c, err := smtp.Dial(a.Cfg.InboundAddr)
		if err != nil {
			t.Fatal(err)
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

// TestServeBounceMaildir runs serve with --bounce-maildir: the bounce_maildir River job polls
// the folder and a message leaves new/ only once it was stored.
func TestServeBounceMaildir(t *testing.T) {
	a := openApp(t, "file:"+filepath.Join(t.TempDir(), "c.db"))
	dir := t.TempDir()
	for _, d := range []string{"new", "cur", "tmp"} {
		os.Mkdir(filepath.Join(dir, d), 0o755)
	}
	msg := "From: MAILER-DAEMON@mx.example\r\nSubject: Undelivered\r\n\r\nno such user\r\n"
	if err := os.WriteFile(filepath.Join(dir, "new", "1.a.host"), []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	a.Cfg.BounceMaildir, a.Cfg.BounceMaildirEvery = dir, time.Second
	base, stop := startServer(t, a)
	defer stop()
	waitStarted(t, base)
	jc, err := a.OpenJobs(context.Background(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer jc.Close()
	var ran []jobs.Job
	for deadline := time.Now().Add(30 * time.Second); len(ran) == 0; time.Sleep(50 * time.Millisecond) {
		js, err := jc.List(context.Background(), jobs.Filter{Kind: jobs.KindBounceMaildir})
		if err != nil || time.Now().After(deadline) {
			t.Fatalf("no bounce_maildir job ran: %v", err)
		}
		for _, j := range js {
			if j.State == "completed" || len(j.Errors) > 0 {
				ran = append(ran, j)
			}
		}
	}
	// The kind is listed and can be run at once (clearlist jobs run-now bounce_maildir).
	if !slices.Contains(jobs.Kinds, jobs.KindBounceMaildir) {
		t.Errorf("jobs.Kinds %v lacks %s", jobs.Kinds, jobs.KindBounceMaildir)
	}
	if j, err := jc.RunNow(context.Background(), jobs.KindBounceMaildir); err != nil || j.Kind != jobs.KindBounceMaildir {
		t.Errorf("RunNow(%s) = %+v, %v", jobs.KindBounceMaildir, j, err)
	}
	_, inNew := os.Stat(filepath.Join(dir, "new", "1.a.host"))
	_, inCur := os.Stat(filepath.Join(dir, "cur", "1.a.host:2,S"))
	switch j := ran[0]; {
	case j.State == "completed" && inCur != nil:
		t.Errorf("the round completed but the message is not in cur/")
	case j.State != "completed" && inNew != nil:
		t.Errorf("the round failed (%v) but the message left new/", j.Errors)
	}
}

// waitStarted returns once serve has started (its jobs and the inbound server run): the
// listener is open from the start, but answered only then.
func waitStarted(t *testing.T, base string) {
	t.Helper()
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
}
