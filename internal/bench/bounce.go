package bench

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/bounce"
	"github.com/clearlist/clearlist/internal/bounce/dsn"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/contact"
	"github.com/clearlist/clearlist/internal/deliver"
)

// bounceTemplates are real DSNs (from the parser's samples, sisimai's set, BSD licence:
// bouncedata/LICENSE) with the recipient and the original sender each generated DSN
// replaces: the recipient by the campaign's, the sender (the bounce's To:, the original's
// Return-Path) by the delivery's signed VERP address.
//
//go:embed bouncedata/*.eml
var bounceData embed.FS

var bounceTemplates = []struct{ file, recipient, sender string }{
	{"lhost-postfix-04.eml", "kijitora@example.co.jp", "shironeko@example.ne.jp"},
	{"lhost-postfix-05.eml", "kijitora@example.org", "shironeko@example.co.jp"},
	{"lhost-sendmail-03.eml", "bounce0@example.org", "kijitora@example.co.jp"},
}

// BounceOptions varies `clearlist bench bounce`.
type BounceOptions struct {
	Messages int // DSNs to generate and ingest, one per recipient of the campaign
	Batch    int // messages per IngestBatch (1: IngestMessage one by one); via SMTP, the server's largest batch
	// Via is "file" (the service's batch pipeline, as `bounce ingest`) or "smtp": the DSNs
	// are sent over Connections concurrent SMTP connections to the inbound server on
	// 127.0.0.1, which stores them by group commit.
	Via         string
	Connections int
}

// BounceResult is what `clearlist bench bounce` measured.
type BounceResult struct {
	Engine      string  `json:"engine"`
	Via         string  `json:"via"`
	Connections int     `json:"connections,omitempty"`
	Messages    int     `json:"messages"`
	Batch       int     `json:"batch"`
	Events      int     `json:"events"`
	Suppressed  int     `json:"undeliverable"` // events that marked the contact and put it on the list
	Secs        float64 `json:"seconds"`
	Rate        float64 `json:"messages_per_second"`
	EventRate   float64 `json:"events_per_second"`
	ParseSecs   float64 `json:"parse_only_seconds"` // dsn.Parse alone over the same messages, on one core
	AvgBytes    float64 `json:"average_message_bytes"`
	PeakRSSMiB  float64 `json:"peak_rss_mib"`
	// CPUSecs is this process's CPU time while ingesting (user and system, all threads; on
	// PostgreSQL the server's is not in it): on a loaded machine, messages per CPU-second
	// says more than messages per second.
	CPUSecs float64 `json:"cpu_seconds"`
}

// Bounce seeds Messages contacts with consent, starts a campaign to them and records every
// delivery as sent (no SMTP: the send path has its own bench), generates one DSN per
// delivery from real DSN samples (each to the delivery's VERP address), and ingests them
// through the bounce service (parse, classify, identify, record) in batches.
func Bounce(ctx context.Context, a *app.App, dir string, o BounceOptions, progress func(string)) (BounceResult, error) {
	res := BounceResult{Engine: a.Dialect(), Via: cmp.Or(o.Via, "file"), Messages: o.Messages, Batch: max(o.Batch, 1)}
	if res.Via == "smtp" {
		res.Connections = max(o.Connections, 1)
	}
	ws := a.Workspace.ID
	path := filepath.Join(dir, fmt.Sprintf("bounce-%d.csv", o.Messages))
	if err := generateFile(path, o.Messages, true); err != nil {
		return res, err
	}
	for _, at := range attributes {
		if err := seeder(a).AddAttribute(ctx, ws, at); err != nil {
			return res, fmt.Errorf("bench needs a fresh workspace: %w", err)
		}
	}
	progress(fmt.Sprintf("seeding %d contacts with consent…", o.Messages))
	sum, err := a.Imports.Import(ctx, ws, contact.ImportRequest{Path: path, List: "bench", ConsentPurpose: "newsletter",
		Source: contact.Source{Type: "web-form-double-opt-in", Description: "clearlist bench bounce"}}, 0)
	if err != nil {
		return res, err
	}
	if sum.Inserted != o.Messages {
		return res, fmt.Errorf("bench bounce seeded %d of %d contacts (report %s)", sum.Inserted, o.Messages, sum.ReportPath)
	}
	l, err := a.Contacts.ListByName(ctx, ws, "bench")
	if err != nil {
		return res, err
	}
	if err := readySender(ctx, a, ws); err != nil {
		return res, err
	}
	c, err := a.Campaigns.Create(ctx, campaign.Campaign{WorkspaceID: ws, Name: "bench", Purpose: "newsletter",
		Lists: []int64{l.ID}, FromAddress: "News <news@sender.example>", Content: campaign.Content{Subject: "Hello", Text: "Hello"}})
	if err != nil {
		return res, err
	}
	if _, err := a.Campaigns.Start(ctx, ws, c.ID); err != nil {
		return res, err
	}
	progress("recording the campaign as sent…")
	sent, err := markSent(ctx, seeder(a), ws, c.ID)
	if err != nil {
		return res, err
	}
	if len(sent) != o.Messages {
		return res, fmt.Errorf("bench bounce: %d of %d deliveries sent", len(sent), o.Messages)
	}
	key, err := verpKey(ctx, seeder(a), ws)
	if err != nil {
		return res, err
	}
	raws, err := BounceMessages(key, ws, c.ID, sent)
	if err != nil {
		return res, err
	}
	var total int
	for _, r := range raws {
		total += len(r)
	}
	res.AvgBytes = float64(total) / float64(len(raws))
	resetPeakRSS()
	if res.Via != "smtp" {
		progress(fmt.Sprintf("ingesting %d DSNs in batches of %d…", len(raws), res.Batch))
	}
	start, cpu0 := time.Now(), cpuSeconds()
	check := func(first int, rs []bounce.IngestResult) error {
		for k, r := range rs {
			if r.Ignored != "" || len(r.Events) == 0 {
				return fmt.Errorf("bench bounce: message %d was not acted on: %+v", first+k, r)
			}
			res.Events += len(r.Events)
			for _, e := range r.Events {
				if e.Action == "undeliverable" {
					res.Suppressed++
				}
			}
		}
		return nil
	}
	switch {
	case res.Via == "smtp":
		progress(fmt.Sprintf("sending %d DSNs over %d SMTP connections to the inbound server…", len(raws), res.Connections))
		if err := sendSMTP(ctx, a, res.Connections, res.Batch, bounceVERPs(key, ws, c.ID, sent), raws); err != nil {
			return res, err
		}
		res.Secs, res.CPUSecs = time.Since(start).Seconds(), cpuSeconds()-cpu0
		if res.Events, res.Suppressed, err = countEvents(ctx, a, ws); err != nil {
			return res, err
		}
		if res.Suppressed != len(raws) {
			return res, fmt.Errorf("bench bounce: %d of %d DSNs sent by SMTP made the contact undeliverable", res.Suppressed, len(raws))
		}
	case res.Batch == 1:
		for i, raw := range raws {
			r, err := a.Bounces.IngestMessage(ctx, raw, bounce.ViaFile)
			if err != nil {
				return res, err
			}
			if err := check(i, []bounce.IngestResult{r}); err != nil {
				return res, err
			}
		}
	default:
		// As `clearlist bounce ingest` does: a batch parsed while the one before is written.
		pl := a.Bounces.Pipeline(ctx, bounce.ViaFile, func(tag any, rs []bounce.IngestResult, err error) error {
			if err != nil {
				return err
			}
			return check(tag.(int), rs)
		})
		for i := 0; i < len(raws); i += res.Batch {
			if err := pl.Add(raws[i:min(i+res.Batch, len(raws))], i); err != nil {
				break
			}
		}
		if err := pl.Close(); err != nil {
			return res, err
		}
	}
	if res.Secs == 0 {
		res.Secs, res.CPUSecs = time.Since(start).Seconds(), cpuSeconds()-cpu0
	}
	res.PeakRSSMiB = peakRSSMiB()
	res.Rate, res.EventRate = float64(len(raws))/res.Secs, float64(res.Events)/res.Secs
	pstart := time.Now()
	for _, r := range raws {
		dsn.Parse(r)
	}
	res.ParseSecs = time.Since(pstart).Seconds()
	return res, nil
}

// BounceMessages makes one DSN per recipient from the templates in turn, each about the
// delivery of the campaign to that recipient (its VERP return path signed with key).
func BounceMessages(key []byte, ws, campaignID int64, rs []campaign.Recipient) ([][]byte, error) {
	tpls := make([][]byte, len(bounceTemplates))
	for i, t := range bounceTemplates {
		b, err := bounceData.ReadFile("bouncedata/" + t.file)
		if err != nil {
			return nil, err
		}
		tpls[i] = b
	}
	out := make([][]byte, len(rs))
	for i, r := range rs {
		t := bounceTemplates[i%len(tpls)]
		verp := deliver.VERPAddress(key, benchBounceDomain, ws, campaignID, r.ContactID)
		b := bytes.ReplaceAll(tpls[i%len(tpls)], []byte(t.recipient), []byte(r.Address))
		out[i] = bytes.ReplaceAll(b, []byte(t.sender), []byte(verp))
	}
	return out, nil
}

// cpuSeconds is the process's CPU time so far (user + system) from /proc/self/stat on Linux
// (clock ticks of 1/100 s); 0 elsewhere.
func cpuSeconds() float64 {
	b, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces) end with ')'.
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseFloat(f[11], 64)
	s, _ := strconv.ParseFloat(f[12], 64)
	return (u + s) / 100
}
