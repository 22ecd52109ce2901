package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
)

// SendOptions varies `clearlist bench send`.
type SendOptions struct {
	Recipients int
	DKIM       string // none, rsa (RSA-2048) or ed25519
	Workers    int    // send workers of the campaign (default 4)
	Conns      int    // connections to the sink, of the pool and of the bare client alike
}

// SendResult is what `clearlist bench send` measured.
type SendResult struct {
	Engine      string  `json:"engine"`
	Recipients  int     `json:"recipients"`
	DKIM        string  `json:"dkim"`
	Sent        int64   `json:"sent"`
	Secs        float64 `json:"seconds"`             // first to last message at the sink
	Rate        float64 `json:"messages_per_second"` // through campaign.Send and deliver.Pool
	MessageSize float64 `json:"average_message_bytes"`
	BareSecs    float64 `json:"bare_seconds"`
	BareRate    float64 `json:"bare_messages_per_second"` // a bare go-smtp client, same sink, same connections
	Ratio       float64 `json:"ratio"`
	PeakRSSMiB  float64 `json:"send_peak_rss_mib"` // the process's peak resident memory while sending
}

// Send seeds Recipients contacts with consent, starts a campaign with a ~5 KB personalised
// HTML message and sends it through the real pipeline (campaign.Service.Send: claim, screen,
// render, mark in flight, send through the configured relay pool, record) to sink, a go-smtp
// server in another process; then a bare go-smtp client sends as many messages of the same
// size over as many persistent connections, for comparison. The app's relay must be the sink.
func Send(ctx context.Context, a *app.App, sink *Sink, dir string, o SendOptions, progress func(string)) (SendResult, error) {
	res := SendResult{Engine: a.Dialect(), Recipients: o.Recipients, DKIM: o.DKIM}
	o.Workers, o.Conns = max(o.Workers, 1), max(o.Conns, 1)
	ws := a.Workspace.ID
	path := filepath.Join(dir, fmt.Sprintf("send-%d.csv", o.Recipients))
	if err := generateFile(path, o.Recipients, true); err != nil {
		return res, err
	}
	for _, at := range attributes {
		if err := seeder(a).AddAttribute(ctx, ws, at); err != nil {
			return res, fmt.Errorf("bench needs a fresh workspace: %w", err)
		}
	}
	progress(fmt.Sprintf("seeding %d contacts with consent…", o.Recipients))
	sum, err := a.Imports.Import(ctx, ws, contact.ImportRequest{Path: path, List: "bench", ConsentPurpose: "newsletter",
		Source: contact.Source{Type: "web-form-double-opt-in", Description: "clearlist bench send"}}, 0)
	if err != nil {
		return res, err
	}
	if sum.Inserted != o.Recipients {
		return res, fmt.Errorf("bench send seeded %d of %d contacts (report %s)", sum.Inserted, o.Recipients, sum.ReportPath)
	}
	l, err := a.Contacts.ListByName(ctx, ws, "bench")
	if err != nil {
		return res, err
	}
	if err := signWith(a, o.DKIM); err != nil {
		return res, err
	}
	if err := readySender(ctx, a, ws); err != nil {
		return res, err
	}
	c, err := a.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: ws, Name: "bench", Purpose: "newsletter",
		Lists: []int64{l.ID}, FromAddress: "News <news@sender.example>", Workers: o.Workers,
		Content: campaign.Content{Subject: "{{.Contact.first_name}}, the monthly letter from {{.Contact.city}}", HTML: benchHTML()}})
	if err != nil {
		return res, err
	}
	progress("screening the audience and starting the campaign…")
	aud, err := a.Campaigns.Start(ctx, ws, c.ID)
	if err != nil {
		return res, err
	}
	if err := sink.Reset(); err != nil {
		return res, err
	}
	resetPeakRSS()
	progress(fmt.Sprintf("sending %d messages (%d workers, DKIM %s)…", aud.Eligible, o.Workers, o.DKIM))
	claim := fmt.Sprintf("bench-send-%d", os.Getpid())
	errs := make(chan error, o.Workers)
	for range o.Workers {
		go func() {
			_, err := a.Campaigns.Send(ctx, ws, c.ID, claim)
			errs <- err
		}()
	}
	for range o.Workers {
		if err := <-errs; err != nil {
			return res, fmt.Errorf("send: %w", err)
		}
	}
	res.PeakRSSMiB = peakRSSMiB()
	st, err := sink.Stats()
	if err != nil {
		return res, err
	}
	counts, err := a.Campaigns.Report(ctx, ws, c.ID)
	if err != nil {
		return res, err
	}
	if sent := counts.ByState[campaign.Sent]; int64(sent) != st.Messages || sent != aud.Eligible {
		return res, fmt.Errorf("bench send: %d recorded sent, %d received, %d eligible (%+v)", sent, st.Messages, aud.Eligible, counts.ByState)
	}
	res.Sent, res.Secs, res.Rate = st.Messages, st.Last.Sub(st.First).Seconds(), st.Rate()
	res.MessageSize = float64(st.Bytes) / float64(max(st.Messages, 1))
	progress("bare go-smtp client, same sink, same number of connections…")
	if err := sink.Reset(); err != nil {
		return res, err
	}
	if err := bareSend(sink.Addr, o.Recipients, o.Conns, int(res.MessageSize)); err != nil {
		return res, fmt.Errorf("bare client: %w", err)
	}
	if st, err = sink.Stats(); err != nil {
		return res, err
	}
	res.BareSecs, res.BareRate = st.Last.Sub(st.First).Seconds(), st.Rate()
	if res.BareRate > 0 {
		res.Ratio = res.Rate / res.BareRate
	}
	return res, nil
}

// signWith gives the campaign messages a DKIM signer with a key generated for the run.
func signWith(a *app.App, kind string) error {
	var key deliver.DKIMKey
	switch kind {
	case "", "none":
		return nil
	case "rsa":
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return err
		}
		key = deliver.DKIMKey{Domain: "sender.example", Selector: "bench", Key: k}
	case "ed25519":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return err
		}
		key = deliver.DKIMKey{Domain: "sender.example", Selector: "bench", Key: k}
	default:
		return fmt.Errorf("--dkim %s: use none, rsa or ed25519", kind)
	}
	s, err := deliver.NewSigner(key)
	if err != nil {
		return err
	}
	a.SignCampaignsWith(s)
	return nil
}

// benchHTML is a newsletter of about 5 KB with the reader's attributes in several places.
func benchHTML() string {
	var b strings.Builder
	b.WriteString(`<html><body style="font-family:sans-serif"><h1>Hello {{.Contact.first_name}} {{.Contact.last_name}}</h1>`)
	para := `<p>This month at {{.Contact.company}} and across {{.Contact.industry}}: what changed for a {{.Contact.job_role}} ` +
		`in {{.Contact.city}}, the numbers behind it, and three things worth trying before the next issue. ` +
		`Read on for the details, the calendar and the answers to last month's questions.</p>`
	for range 8 {
		b.WriteString(para)
	}
	b.WriteString(`<p><a href="https://sender.example/articles">All articles</a></p></body></html>`)
	return b.String()
}

// bareSend sends n messages of about size bytes over conns persistent connections with the
// go-smtp client and nothing else: no database, no rendering, no limits.
func bareSend(addr string, n, conns, size int) error {
	body := []byte(strings.Repeat("Hello reader, this is the body of the bare baseline message.\r\n", max(size, 64)/63))
	var next sync.Mutex
	i := 0
	take := func() int {
		next.Lock()
		defer next.Unlock()
		i++
		return i
	}
	errs := make(chan error, conns)
	for range conns {
		go func() {
			c, err := smtp.Dial(addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if err := c.Hello("bench.local"); err != nil {
				errs <- err
				return
			}
			for k := take(); k <= n; k = take() {
				to := fmt.Sprintf("person.%d@company%d.example", k, k%20000)
				if err := c.Mail("news@sender.example", nil); err != nil {
					errs <- err
					return
				}
				if err := c.Rcpt(to, nil); err != nil {
					errs <- err
					return
				}
				w, err := c.Data()
				if err != nil {
					errs <- err
					return
				}
				fmt.Fprintf(w, "From: news@sender.example\r\nTo: %s\r\nSubject: Anna%d, the monthly letter\r\nDate: %s\r\n\r\n",
					to, k%977, time.Now().Format(time.RFC1123Z))
				w.Write(body)
				if err := w.Close(); err != nil {
					errs <- err
					return
				}
			}
			c.Quit()
			errs <- nil
		}()
	}
	var first error
	for range conns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// resetPeakRSS starts the peak resident memory (VmHWM) afresh on Linux, so that the send's
// peak is not the seeding's.
func resetPeakRSS() { os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) }
