package campaign_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
	"github.com/clearlist/clearlist/internal/eligibility"
	"github.com/clearlist/clearlist/internal/store"
	"github.com/clearlist/clearlist/internal/store/storetest"
	"github.com/clearlist/clearlist/internal/suppress"
	"github.com/clearlist/clearlist/internal/workspace"
)

// relay is a real SMTP server on loopback that keeps what it accepts and answers RCPT for
// some addresses with scripted codes (one code per attempt; then it accepts).
type relay struct {
	mu     sync.Mutex
	got    map[string][][]byte // recipient -> messages accepted
	script map[string][]int
}

func startRelay(t *testing.T, script map[string][]int) (*relay, string) {
	t.Helper()
	r := &relay{got: map[string][][]byte{}, script: script}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r, ln.Addr().String()
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{r: r}, nil }

func (r *relay) count(addr string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got[addr])
}

type session struct {
	r  *relay
	to string
}

func (s *session) Reset()                               {}
func (s *session) Logout() error                        { return nil }
func (s *session) Mail(string, *smtp.MailOptions) error { return nil }
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if codes := s.r.script[to]; len(codes) > 0 {
		c := codes[0]
		s.r.script[to] = codes[1:]
		if c == 550 { // permanent: stays
			s.r.script[to] = codes
		}
		return &smtp.SMTPError{Code: c, EnhancedCode: smtp.EnhancedCode{c / 100, 0, 0}, Message: "scripted"}
	}
	s.to = to
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.r.mu.Lock()
	s.r.got[s.to] = append(s.r.got[s.to], b)
	s.r.mu.Unlock()
	return err
}

// clock is a test clock the service and the store share.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// env is a workspace with a list of contacts, some with consent to the newsletter.
type env struct {
	st    *store.Store
	ws    int64
	list  int64
	ids   map[string]int64
	supp  *suppress.Service
	svc   *campaign.Service
	relay *relay
	clock *clock
}

func newEnv(t *testing.T, st *store.Store, consented, without []string, script map[string][]int, o campaign.Options) *env {
	t.Helper()
	ctx := context.Background()
	w, err := st.EnsureWorkspace(ctx, store.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	src, err := st.CreateSource(ctx, contact.Source{WorkspaceID: w.ID, Type: "signup-cards"})
	if err != nil {
		t.Fatal(err)
	}
	l, err := st.CreateList(ctx, contact.List{WorkspaceID: w.ID, Name: "audience"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, ws: w.ID, list: l.ID, ids: map[string]int64{}, clock: &clock{t: time.Now().UTC()}}
	add := func(addr string, grant bool) {
		c, err := st.CreateContact(ctx, contact.Contact{WorkspaceID: w.ID, Email: addr, EmailCanonical: addr,
			Status: contact.StatusActive, FirstSourceID: src.ID, Attrs: map[string]any{"first_name": "N" + addr[:3]}}, []int64{l.ID})
		if err != nil {
			t.Fatal(err)
		}
		e.ids[addr] = c.ID
		if !grant {
			return
		}
		if _, err := st.AppendConsent(ctx, consent.Entry{WorkspaceID: w.ID, ContactID: c.ID, Purpose: "newsletter",
			Channel: consent.Email, Action: consent.Granted, Basis: consent.BasisConsent, Actor: "test",
			Evidence: consent.Evidence{Timestamp: time.Now().Add(-48 * time.Hour), Wording: "Yes, send me the newsletter"}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, a := range consented {
		add(a, true)
	}
	for _, a := range without {
		add(a, false)
	}
	var addr string
	e.relay, addr = startRelay(t, script)
	e.supp = suppress.New(st, suppress.Options{}, slog.New(slog.DiscardHandler))
	elig := eligibility.New(st, e.supp, workspace.New(st))
	if o.Now == nil {
		o.Now = e.clock.now
	}
	e.svc = campaign.New(campaign.Deps{Store: st, Eligibility: elig, Screener: e.supp,
		Renderer: &campaign.BasicRenderer{Footer: "Unsubscribe: https://example.org/u"},
		Sender:   &deliver.SMTP{Addr: addr, TLS: deliver.TLSNone, HelloName: "sender.example"}}, o)
	return e
}

func (e *env) create(t *testing.T, name string) campaign.Campaign {
	t.Helper()
	c, err := e.svc.Create(context.Background(), campaign.Campaign{WorkspaceID: e.ws, Name: name, Purpose: "newsletter",
		Lists: []int64{e.list}, FromAddress: "News <news@sender.example>",
		Content: campaign.Content{Subject: "Hello {{.Contact.first_name}}", HTML: "<p>Hi {{.Contact.first_name}} &amp; welcome</p>"}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func addrs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d@example.org", prefix, i)
	}
	return out
}

// TestSendEndToEnd: on both engines, a campaign to a list screens its audience (a contact
// without consent is excluded with the rule that refuses), sends to a real SMTP server each
// eligible recipient exactly once — personalised, with the Message-ID recorded — skips an
// address suppressed after the start, retries a 451 after its backoff and sends it once,
// records a 550 as failed with its code, and finishes.
func TestSendEndToEnd(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ok := addrs("ok", 12)
		script := map[string][]int{"busy@example.org": {451}, "bad@example.org": {550}}
		e := newEnv(t, st, append(ok, "busy@example.org", "bad@example.org", "late@example.org"),
			[]string{"noconsent@example.org"}, script, campaign.Options{Batch: 5, Concurrency: 3})
		c := e.create(t, "spring")

		pre, err := e.svc.Preflight(ctx, e.ws, c.ID)
		if err != nil || pre.Eligible != 15 || len(pre.Excluded) != 1 {
			t.Fatalf("preflight = %+v, %v", pre, err)
		}
		aud, err := e.svc.Start(ctx, e.ws, c.ID)
		if err != nil || aud.Eligible != 15 {
			t.Fatalf("start = %+v, %v", aud, err)
		}
		if _, err := e.svc.Start(ctx, e.ws, c.ID); !errors.Is(err, campaign.ErrState) {
			t.Fatalf("second start: %v, want ErrState", err)
		}
		edit := c
		edit.Subject = "changed"
		if _, err := e.svc.Update(ctx, edit); !errors.Is(err, campaign.ErrState) || !strings.Contains(err.Error(), "can no longer be edited") {
			t.Fatalf("edit while sending: %v", err)
		}
		// Unsubscribed after the start: the send-time screen skips it.
		if _, _, err := e.supp.Suppress(ctx, e.ws, []suppress.Intake{{Value: "late@example.org", Reason: "unsubscribe", By: "test"}}); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1")
		if err != nil {
			t.Fatal(err)
		}
		if res.RetryAt.IsZero() {
			t.Fatal("a recipient waits for its retry, but Send asked for no second run")
		}
		if got, _ := e.svc.Campaign(ctx, e.ws, c.ID); got.State != campaign.Sending {
			t.Fatalf("state with a retry pending = %s", got.State)
		}
		e.clock.add(2 * time.Minute)
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-1"); err != nil {
			t.Fatal(err)
		}
		for _, a := range append(ok, "busy@example.org") {
			if n := e.relay.count(a); n != 1 {
				t.Errorf("%s received %d messages, want 1", a, n)
			}
		}
		for _, a := range []string{"bad@example.org", "late@example.org", "noconsent@example.org"} {
			if n := e.relay.count(a); n != 0 {
				t.Errorf("%s received %d messages, want 0", a, n)
			}
		}
		msg := e.relay.got["ok03@example.org"][0]
		mr, err := gomail.CreateReader(strings.NewReader(string(msg)))
		if err != nil {
			t.Fatal(err)
		}
		if subj, _ := mr.Header.Subject(); subj != "Hello Nok0" {
			t.Errorf("subject = %q", subj)
		}
		got, _ := e.svc.Campaign(ctx, e.ws, c.ID)
		if got.State != campaign.Finished {
			t.Fatalf("state = %s, want finished", got.State)
		}
		counts, err := e.svc.Report(ctx, e.ws, c.ID)
		if err != nil || counts.ByState[campaign.Sent] != 13 || counts.ByState[campaign.Failed] != 1 ||
			counts.ByState[campaign.Excluded] != 2 {
			t.Fatalf("report = %+v, %v", counts, err)
		}
		ds, _ := e.svc.Deliveries(ctx, e.ws, c.ID, campaign.DeliveryFilter{})
		byAddr := map[string]campaign.Delivery{}
		for _, d := range ds {
			byAddr[d.Address] = d
		}
		if d := byAddr["bad@example.org"]; d.State != campaign.Failed || d.SMTPCode != 550 {
			t.Errorf("bad: %+v", d)
		}
		if d := byAddr["busy@example.org"]; d.State != campaign.Sent || d.Attempts != 2 {
			t.Errorf("busy: %+v", d)
		}
		if d := byAddr["late@example.org"]; d.State != campaign.Excluded || !strings.Contains(d.Reason, "suppressed") {
			t.Errorf("late: %+v", d)
		}
		if d := byAddr["noconsent@example.org"]; d.State != campaign.Excluded || d.Reason == "" {
			t.Errorf("noconsent: %+v", d)
		}
		if d := byAddr["ok00@example.org"]; d.MessageID == "" || !strings.Contains(string(e.relay.got["ok00@example.org"][0]), d.MessageID) {
			t.Errorf("the recorded Message-ID %q is not the sent one", d.MessageID)
		}
	})
}

// TestCrashLeavesUnknown: rows a process took and then died holding become unknown — not
// resent — when the next worker runs; rows a live process holds are left to it; a retry of
// the unknown ones is an explicit decision, and sends each once.
func TestCrashLeavesUnknown(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, addrs("r", 10), nil, nil, campaign.Options{Batch: 4})
		c := e.create(t, "crash")
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		now := e.clock.now()
		// The dead process claimed 5 and had handed 3 to the transport (marked in flight):
		// those 3 become unknown, the 2 it never handed over go back to the queue.
		claimed, err := st.ClaimCampaignDeliveries(ctx, e.ws, c.ID, "dead-process", 5, now)
		if err != nil || len(claimed) != 5 {
			t.Fatalf("claim = %d, %v", len(claimed), err)
		}
		dead := claimed[:3]
		if n, err := st.MarkInFlight(ctx, e.ws, c.ID, "dead-process", nil, []int64{dead[0].ContactID, dead[1].ContactID, dead[2].ContactID}, now); err != nil || n != 3 {
			t.Fatalf("mark in flight = %d, %v", n, err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-2"); err != nil {
			t.Fatal(err)
		}
		for _, r := range dead {
			if n := e.relay.count(r.Address); n != 0 {
				t.Fatalf("%s, in flight at the crash, was resent", r.Address)
			}
		}
		for _, r := range claimed[3:] {
			if n := e.relay.count(r.Address); n != 1 {
				t.Fatalf("%s, claimed but never handed over at the crash, was sent %d times, want 1", r.Address, n)
			}
		}
		unk, _ := e.svc.Deliveries(ctx, e.ws, c.ID, campaign.DeliveryFilter{State: campaign.Unknown})
		if len(unk) != 3 {
			t.Fatalf("unknown = %+v", unk)
		}
		if got, _ := e.svc.Campaign(ctx, e.ws, c.ID); got.State != campaign.Finished {
			t.Fatalf("state = %s, want finished (unknowns are final until retried)", got.State)
		}
		n, err := e.svc.Retry(ctx, e.ws, c.ID, campaign.Unknown)
		if err != nil || n != 3 {
			t.Fatalf("retry = %d, %v", n, err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-2"); err != nil {
			t.Fatal(err)
		}
		for _, a := range addrs("r", 10) {
			if n := e.relay.count(a); n != 1 {
				t.Errorf("%s received %d, want 1", a, n)
			}
		}
	})
}

// TestLiveClaimKept: rows held by a process that is alive stay in sending; the campaign does
// not finish under it.
func TestLiveClaimKept(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, addrs("l", 4), nil, nil, campaign.Options{})
		c := e.create(t, "live")
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		release, err := st.ClaimProcess(ctx, "live-process")
		if err != nil {
			t.Fatal(err)
		}
		defer release()
		if _, err := st.ClaimCampaignDeliveries(ctx, e.ws, c.ID, "live-process", 2, e.clock.now()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "proc-2"); err != nil {
			t.Fatal(err)
		}
		counts, _ := e.svc.Report(ctx, e.ws, c.ID)
		if counts.ByState[campaign.Claimed] != 2 || counts.ByState[campaign.Sent] != 2 || counts.ByState[campaign.Unknown] != 0 {
			t.Fatalf("counts = %+v", counts.ByState)
		}
		if got, _ := e.svc.Campaign(ctx, e.ws, c.ID); got.State != campaign.Sending {
			t.Fatalf("state = %s, want sending", got.State)
		}
	})
}

// TestRefusals: an audience nobody may be mailed, a missing message, a template that cannot
// render, a 5 MB template, CR/LF in a subject, pause and resume rules.
func TestRefusals(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, nil, []string{"a@example.org", "b@example.org"}, nil, campaign.Options{})
		c := e.create(t, "nobody")
		if _, err := e.svc.Start(ctx, e.ws, c.ID); !errors.Is(err, campaign.ErrEmptyAudience) {
			t.Fatalf("empty audience: %v", err)
		}
		if got, _ := e.svc.Campaign(ctx, e.ws, c.ID); got.State != campaign.Draft {
			t.Fatalf("after a refused start: %s", got.State)
		}
		base := campaign.Campaign{WorkspaceID: e.ws, Purpose: "newsletter", Lists: []int64{e.list}, FromAddress: "n@sender.example"}
		for _, tc := range []struct {
			name string
			edit func(*campaign.Campaign)
		}{
			{"no body", func(c *campaign.Campaign) { c.Subject = "s" }},
			{"crlf subject", func(c *campaign.Campaign) { c.Subject, c.Text = "a\r\nBcc: x@y", "t" }},
			{"huge", func(c *campaign.Campaign) { c.Subject, c.HTML = "s", strings.Repeat("x", 5<<20) }},
			{"no list", func(c *campaign.Campaign) { c.Subject, c.Text, c.Lists = "s", "t", nil }},
			{"bad from", func(c *campaign.Campaign) { c.Subject, c.Text, c.FromAddress = "s", "t", "not an address" }},
		} {
			c := base
			c.Name = tc.name
			tc.edit(&c)
			if _, err := e.svc.Create(ctx, c); !errors.Is(err, campaign.ErrInvalid) {
				t.Errorf("%s: %v, want ErrInvalid", tc.name, err)
			}
		}
		bad := base
		bad.Name, bad.Subject, bad.Text = "broken", "s", "{{.Contact.name"
		bc, err := e.svc.Create(ctx, bad)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Start(ctx, e.ws, bc.ID); !errors.Is(err, campaign.ErrInvalid) {
			t.Fatalf("a template that does not parse started: %v", err)
		}
		if err := e.svc.Resume(ctx, e.ws, bc.ID); !errors.Is(err, campaign.ErrState) {
			t.Fatalf("resume of a draft: %v", err)
		}
		if err := e.svc.Pause(ctx, e.ws, bc.ID, ""); !errors.Is(err, campaign.ErrState) {
			t.Fatalf("pause of a draft: %v", err)
		}
		if err := e.svc.Cancel(ctx, e.ws, bc.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestPauseResume: a paused campaign's worker sends nothing; resumed, it finishes.
func TestPauseResume(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, addrs("p", 6), nil, nil, campaign.Options{})
		c := e.create(t, "pause")
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := e.svc.Pause(ctx, e.ws, c.ID, "checking the copy"); err != nil {
			t.Fatal(err)
		}
		if res, err := e.svc.Send(ctx, e.ws, c.ID, "p"); err != nil || res.Sent != 0 {
			t.Fatalf("paused send = %+v, %v", res, err)
		}
		got, _ := e.svc.Campaign(ctx, e.ws, c.ID)
		if got.PauseReason != "checking the copy" {
			t.Fatalf("pause reason = %q", got.PauseReason)
		}
		if err := e.svc.Resume(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		if res, err := e.svc.Send(ctx, e.ws, c.ID, "p"); err != nil || res.Sent != 6 {
			t.Fatalf("resumed send = %+v, %v", res, err)
		}
	})
}

// TestGuardPauses: when a third of the recipients bounce hard, the campaign pauses itself
// after enough deliveries to tell, saying why, and sends nothing more until resumed.
func TestGuardPauses(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		to := addrs("g", 400)
		script := map[string][]int{}
		for i, a := range to {
			if i%3 == 0 {
				script[a] = []int{550}
			}
		}
		e := newEnv(t, st, to, nil, script, campaign.Options{Batch: 50})
		c := e.create(t, "guarded")
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "g"); err != nil {
			t.Fatal(err)
		}
		got, _ := e.svc.Campaign(ctx, e.ws, c.ID)
		if got.State != campaign.Paused || !strings.Contains(got.PauseReason, "hard-bounce rate") {
			t.Fatalf("after a third bounced: %s (%q)", got.State, got.PauseReason)
		}
		counts, _ := e.svc.Report(ctx, e.ws, c.ID)
		if counts.ByState[campaign.Queued] == 0 {
			t.Fatalf("the guard paused only after the last recipient: %+v", counts.ByState)
		}
	})
}

// TestScheduled: a scheduled campaign's worker waits for its time, then starts it (screening
// the audience then) and it is sent.
func TestScheduled(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, addrs("s", 3), nil, nil, campaign.Options{})
		c := e.create(t, "later")
		at := e.clock.now().Add(time.Hour).Truncate(time.Millisecond)
		if err := e.svc.Schedule(ctx, e.ws, c.ID, at); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Send(ctx, e.ws, c.ID, "s")
		if err != nil || !res.RetryAt.Equal(at) {
			t.Fatalf("before its time: %+v, %v; want a retry at %v", res, err, at)
		}
		e.clock.add(time.Hour)
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "s"); err != nil { // starts it
			t.Fatal(err)
		}
		if res, err := e.svc.Send(ctx, e.ws, c.ID, "s"); err != nil || res.Sent != 3 {
			t.Fatalf("after the start: %+v, %v", res, err)
		}
	})
}

// TestSettingNamesAgree: the guard reads the settings the workspace checks.
func TestSettingNamesAgree(t *testing.T) {
	if campaign.SettingMaxBounceRate != workspace.SettingMaxBounceRate || campaign.SettingMaxComplaintRate != workspace.SettingMaxComplaintRate {
		t.Fatal("campaign and workspace name the guard settings differently")
	}
	if _, err := workspace.NormalizeSetting(campaign.SettingMaxBounceRate, "0.02"); err != nil {
		t.Fatal(err)
	}
	if _, err := workspace.NormalizeSetting(campaign.SettingMaxBounceRate, "5"); err == nil {
		t.Fatal("a share of 5 was accepted")
	}
}

// TestTemplateFixedAtStart: a campaign's template is fixed when it starts; editing the
// template afterwards changes no message of the campaign.
func TestTemplateFixedAtStart(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, addrs("t", 2), nil, nil, campaign.Options{})
		tp, err := e.svc.AddTemplate(ctx, campaign.Template{WorkspaceID: e.ws, Name: "w",
			Content: campaign.Content{Subject: "Original", Text: "original body"}})
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.svc.Create(ctx, campaign.Campaign{WorkspaceID: e.ws, Name: "tpl", Purpose: "newsletter",
			Lists: []int64{e.list}, FromAddress: "news@sender.example", TemplateID: tp.ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Start(ctx, e.ws, c.ID); err != nil {
			t.Fatal(err)
		}
		tp.Subject, tp.Text = "Edited", "edited body"
		if _, err := e.svc.UpdateTemplate(ctx, tp); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Send(ctx, e.ws, c.ID, "t"); err != nil {
			t.Fatal(err)
		}
		msg := string(e.relay.got["t00@example.org"][0])
		if !strings.Contains(msg, "Subject: Original") || strings.Contains(msg, "edited") {
			t.Fatalf("the message took the template's later edit:\n%s", msg)
		}
	})
}
