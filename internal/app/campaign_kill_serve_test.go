package app

import (
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/campaign"
)

// sink is a real SMTP server on loopback that counts the messages it accepted per recipient.
type sink struct {
	mu    sync.Mutex
	got   map[string]int
	n     int
	times []time.Time // arrival of each message (the end of its DATA)
}

func startSink(t *testing.T) (*sink, string) {
	t.Helper()
	s := &sink{got: map[string]int{}}
	srv := smtp.NewServer(s)
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return s, ln.Addr().String()
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

func (s *sink) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

type sinkSession struct {
	s  *sink
	to []string
}

func (ss *sinkSession) Reset()                               { ss.to = nil }
func (ss *sinkSession) Logout() error                        { return nil }
func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	ss.to = append(ss.to, to)
	return nil
}
func (ss *sinkSession) Data(r io.Reader) error {
	if _, err := io.Copy(io.Discard, r); err != nil {
		return err
	}
	now := time.Now()
	ss.s.mu.Lock()
	for _, to := range ss.to {
		ss.s.times = append(ss.s.times, now)
		ss.s.got[to]++
		ss.s.n++
	}
	ss.s.mu.Unlock()
	return nil
}

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// TestServeCampaignKilled: `serve` sends a campaign to a real SMTP server and is killed with
// SIGKILL at random points, again and again, and restarted; in the end every recipient was
// sent once or is listed as unknown (in flight at a kill), nobody received the message twice
// and nobody is missing. The children send through the relay pool (--relay); each kill leaves
// in flight only the messages the senders hold and the group being handed over (2 ×
// concurrency a worker while the disk keeps up, at most a claimed batch when it does not):
// the rest of the claimed rows go back to the queue. CLEARLIST_KILL_RECIPIENTS (default 5,000) and CLEARLIST_KILL_ROUNDS
// (default 3) size it; the fault test is 20,000 and 10.
func TestServeCampaignKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("starts child processes; skipped with -short")
	}
	recipients, rounds := envInt("CLEARLIST_KILL_RECIPIENTS", 5000), envInt("CLEARLIST_KILL_ROUNDS", 3)
	forEachEngine(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		box, relay := startSink(t)
		a := openApp(t, dsn)
		a.Cfg.SMTPAddr, a.Cfg.SMTPTLS = relay, "none"
		authSender(t, a, "sender.example", true) // footer settings, DKIM key, the DNS the pre-flight asks
		a.Cfg.Relays = []string{"smtp://" + relay + "?tls=none&max_conns=32"}
		if err := a.openPool(); err != nil {
			t.Fatal(err)
		}
		a.Campaigns = a.newCampaigns()
		dataDir := t.TempDir()
		a.Cfg.DataDir = dataDir
		list := seedAudience(t, a, recipients)
		c, err := a.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: a.Workspace.ID, Name: "killed", Purpose: "newsletter",
			Lists: []int64{list}, FromAddress: "news@sender.example", Workers: 3,
			Content: campaign.Content{Subject: "Hello {{.Contact.first_name}}", Text: "Hi {{.Contact.first_name}}"}})
		if err != nil {
			t.Fatal(err)
		}
		aud, err := a.Campaigns.Start(ctx, a.Workspace.ID, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		a.queue.close() // the insert-only client; the children and the last server work the jobs
		for round := range rounds {
			before := box.total()
			if before >= aud.Eligible*9/10 {
				break
			}
			step := 1 + rand.IntN(max(1, aud.Eligible/(rounds+1)))
			runAndKill(t, dsn, dataDir, relay, func() bool { return box.total() >= before+step })
			counts, err := a.Campaigns.Report(ctx, a.Workspace.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			inFlight := counts.ByState[campaign.InFlight]
			// In flight: the senders' rows and the group being handed over, 2 × concurrency
			// while the disk keeps up, growing to at most a claimed batch when it does not.
			if bound := c.Workers * 50; inFlight > bound {
				t.Errorf("round %d: %d rows in flight at the kill, more than workers × batch = %d", round+1, inFlight, bound)
			}
			t.Logf("round %d: killed after %d messages (%d in all); %d in flight (will be unknown), %d claimed (back to the queue)",
				round+1, box.total()-before, box.total(), inFlight, counts.ByState[campaign.Claimed])
		}
		_, stop := startServer(t, a)
		waitFinished(t, a, c.ID, 5*time.Minute) // after the restarts
		stop()
		var ds []campaign.Delivery
		for after := int64(0); ; {
			page, err := a.Campaigns.Deliveries(ctx, a.Workspace.ID, c.ID, campaign.DeliveryFilter{After: after, Limit: 10000})
			if err != nil {
				t.Fatal(err)
			}
			ds = append(ds, page...)
			if len(page) < 10000 {
				break
			}
			after = page[len(page)-1].ContactID
		}
		box.mu.Lock()
		defer box.mu.Unlock()
		unknown, sent := 0, 0
		for _, d := range ds {
			n := box.got[d.Address]
			switch {
			case n > 1:
				t.Errorf("%s received the message %d times", d.Address, n)
			case d.State == campaign.Sent && n != 1:
				t.Errorf("%s is recorded sent but received %d messages", d.Address, n)
			case d.State == campaign.Unknown:
				unknown++
			case d.State == campaign.Sent:
				sent++
			case d.State == campaign.Excluded:
				if n != 0 {
					t.Errorf("%s, excluded, received %d messages", d.Address, n)
				}
			default:
				t.Errorf("%s ended %s (%s)", d.Address, d.State, d.Reason)
			}
		}
		if sent+unknown != aud.Eligible {
			t.Errorf("%d sent + %d unknown, want the %d eligible", sent, unknown, aud.Eligible)
		}
		t.Logf("%d recipients: %d sent, %d unknown (in flight at %d kills), %d messages received", aud.Eligible, sent, unknown, rounds, box.n)
	})
}

// runAndKill starts `serve` as a child process sending through relay and kills it with
// SIGKILL once enough has been sent.
func runAndKill(t *testing.T, dsn, dataDir, relay string, enough func() bool) {
	t.Helper()
	addrFile := filepath.Join(t.TempDir(), "addr")
	arg, _ := json.Marshal(childServeArgs{DSN: dsn, DataDir: dataDir, AddrFile: addrFile,
		Relays: []string{"smtp://" + relay + "?tls=none&max_conns=32"}})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childServeEnv+"="+string(arg))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for !enough() {
		if time.Now().After(deadline) {
			t.Fatal("the child server sent too little within two minutes")
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}
