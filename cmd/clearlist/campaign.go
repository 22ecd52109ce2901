package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/campaign"
	"github.com/clearlist/clearlist/internal/config"
)

// messageFlags are a message's parts, each body read from a file.
type messageFlags struct {
	Subject   string `help:"The subject (a template: {{.Contact.first_name}})."`
	Preheader string `help:"The preview text shown after the subject."`
	HTML      string `name:"html" type:"existingfile" help:"HTML body file." xor:"body"`
	Markdown  string `type:"existingfile" help:"Markdown body file." xor:"body"`
	Text      string `type:"existingfile" help:"Plain-text body file (derived from the HTML when not given)."`
}

func (m messageFlags) content() (campaign.Content, error) {
	c := campaign.Content{Subject: m.Subject, Preheader: m.Preheader}
	for _, f := range []struct {
		path string
		dst  *string
	}{{m.HTML, &c.HTML}, {m.Markdown, &c.Markdown}, {m.Text, &c.Text}} {
		if f.path == "" {
			continue
		}
		b, err := os.ReadFile(f.path)
		if err != nil {
			return c, err
		}
		*f.dst = string(b)
	}
	return c, nil
}

type campaignCmd struct {
	Create struct {
		Name     string   `arg:""`
		Purpose  string   `required:"" help:"The purpose the audience must be eligible for (consent purposes)."`
		List     []string `required:"" help:"A list (by name) whose contacts are the audience; repeat for more."`
		From     string   `required:"" help:"Sender: \"Name <address>\"."`
		ReplyTo  string   `help:"Reply-To address."`
		Template string   `help:"A saved template (by name) as the message."`
		Rate     float64  `default:"0" help:"Most messages a second, across every worker and server; 0 for no limit."`
		Workers  int      `default:"0" help:"Send jobs working at once (default 4)."`

		LocalTime string `help:"HH:MM: send at this time of day in each recipient's time zone (timezone attribute, else country, else setting campaign.timezone)."`
		messageFlags
		abFlags
	} `cmd:"" help:"Create a draft campaign."`
	Ab struct {
		Pick struct {
			ID      int64  `arg:""`
			Variant string `required:"" help:"The winner: A (the campaign's own message), B, C or D."`
		} `cmd:"" help:"Decide the campaign's A/B test now: the held recipients get this variant (recorded, audited)."`
	} `cmd:"" name:"ab" help:"A/B tests of a campaign."`
	Ls        struct{} `cmd:"" help:"Show the campaigns."`
	Show      idArg    `cmd:"" help:"Show a campaign with its delivery counts."`
	Preflight struct {
		idArg
		Format string `enum:"text,json" default:"text" help:"text, or json (the API's answer)."`
	} `cmd:"" help:"Screen the audience as a start would and count it per exclusion reason, and check the sender's SPF, DKIM, DMARC, alignment, PTR and TLS (writes nothing)."`
	Start    idArg `cmd:"" help:"Screen the audience, write the send log and start sending (a running serve sends)."`
	Schedule struct {
		ID int64     `arg:""`
		At time.Time `required:"" help:"When it starts by itself (RFC 3339, e.g. 2026-12-24T09:00:00+01:00); the audience is screened then."`
	} `cmd:"" help:"Start a draft campaign by itself at a time (a running serve starts it)."`
	Pause struct {
		ID     int64  `arg:""`
		Reason string `help:"Why, shown with the campaign."`
	} `cmd:"" help:"Pause a sending campaign."`
	Resume idArg `cmd:"" help:"Resume a paused campaign."`
	Cancel idArg `cmd:"" help:"Cancel a campaign for good."`
	Report struct {
		ID       int64  `arg:""`
		Unknown  bool   `help:"List the recipients whose message was in flight at a crash (maybe sent)." xor:"which"`
		Failed   bool   `help:"List the recipients whose message failed." xor:"which"`
		Excluded bool   `help:"List the recipients screened out, with the reason." xor:"which"`
		Sent     bool   `help:"List the recipients sent to." xor:"which"`
		Bucket   string `help:"List who is in a bucket: sent, delivered, failed, unknown, excluded, queued, bounced, complained, unsubscribed, opened, clicked (opened and clicked only with tracking.individual)." xor:"which"`
		By       string `enum:",domain,hour" default:"" help:"Break the report down per receiving domain or per hour (UTC)."`
		Format   string `enum:"table,csv,json,jsonl" default:"table"`
	} `cmd:"" help:"Report on a campaign (counts and rates; --by domain|hour), or list who is in a bucket (--bucket, CSV or JSON lines for export)."`
	Retry struct {
		ID      int64 `arg:""`
		Unknown bool  `help:"Queue again the messages in flight at a crash: their recipients may get the message twice." xor:"which" required:""`
		Failed  bool  `help:"Queue again the failed messages." xor:"which" required:""`
	} `cmd:"" help:"Send again the failed or unknown deliveries (a recorded decision)."`
	Test struct {
		ID int64  `arg:""`
		To string `required:"" help:"Where to send the test message."`
	} `cmd:"" help:"Send the campaign's message once to an address (writes nothing)."`
}

type idArg struct {
	ID int64 `arg:""`
}

func (c *campaignCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ws, svc := a.Workspace.ID, a.Campaigns
		switch kctx.Command() {
		case "campaign create <name>":
			return c.create(ctx, a)
		case "campaign show <id>":
			k, err := svc.Campaign(ctx, ws, c.Show.ID)
			if err != nil {
				return err
			}
			counts, err := svc.Report(ctx, ws, k.ID)
			if err != nil {
				return err
			}
			return printJSONValue(struct {
				campaign.Campaign
				Deliveries campaign.Counts `json:"deliveries"`
			}{k, counts})
		case "campaign preflight <id>":
			aud, err := svc.Preflight(ctx, ws, c.Preflight.ID)
			if err != nil {
				return err
			}
			if c.Preflight.Format == "json" {
				return printJSONValue(aud)
			}
			printAudience(aud.Eligible, aud.Excluded)
			printSenderCheck(aud)
			return nil
		case "campaign start <id>":
			aud, err := svc.Start(ctx, ws, c.Start.ID)
			if err != nil {
				return err
			}
			printAudience(aud.Eligible, aud.Excluded)
			fmt.Fprintln(os.Stderr, "Started: a running `clearlist serve` sends it (campaign report ID shows progress).")
			return nil
		case "campaign schedule <id>":
			return svc.Schedule(ctx, ws, c.Schedule.ID, c.Schedule.At)
		case "campaign pause <id>":
			return svc.Pause(ctx, ws, c.Pause.ID, c.Pause.Reason)
		case "campaign resume <id>":
			return svc.Resume(ctx, ws, c.Resume.ID)
		case "campaign cancel <id>":
			return svc.Cancel(ctx, ws, c.Cancel.ID)
		case "campaign report <id>":
			return c.report(ctx, a.Reports, ws)
		case "campaign retry <id>":
			from := campaign.Failed
			if c.Retry.Unknown {
				from = campaign.Unknown
			}
			n, err := svc.Retry(ctx, ws, c.Retry.ID, from)
			if err != nil {
				return err
			}
			fmt.Printf("queued again: %d\n", n)
			return nil
		case "campaign ab pick <id>":
			d, err := svc.PickAB(ctx, ws, c.Ab.Pick.ID, c.Ab.Pick.Variant)
			if err != nil {
				return err
			}
			fmt.Printf("variant %s: %d held recipients queued with it (%s)\n", d.Winner, d.Released, d.Reason)
			return nil
		case "campaign test <id>":
			return svc.TestSend(ctx, ws, c.Test.ID, c.Test.To)
		default:
			cs, err := svc.Campaigns(ctx, ws)
			if err != nil {
				return err
			}
			tw := table()
			fmt.Fprintln(tw, "ID\tNAME\tPURPOSE\tSTATE\tRATE\tCREATED\tNOTE")
			for _, k := range cs {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%g\t%s\t%s\n", k.ID, k.Name, k.Purpose, k.State, k.Rate,
					k.CreatedAt.Format(time.DateOnly), clip(k.PauseReason, 60))
			}
			return tw.Flush()
		}
	})
}

func (c *campaignCmd) create(ctx context.Context, a *app.App) error {
	f := c.Create
	content, err := f.content()
	if err != nil {
		return err
	}
	k := campaign.Campaign{WorkspaceID: a.Workspace.ID, Name: f.Name, Purpose: f.Purpose, FromAddress: f.From,
		ReplyTo: f.ReplyTo, Content: content, Rate: f.Rate, Workers: f.Workers, LocalTime: f.LocalTime,
		TrackOpens: f.TrackOpens, TrackClicks: f.TrackClicks}
	if k.AB, err = f.test(ctx, a); err != nil {
		return err
	}
	for _, name := range f.List {
		l, err := a.Contacts.ListByName(ctx, a.Workspace.ID, name)
		if err != nil {
			return fmt.Errorf("list %q: %w", name, err)
		}
		k.Lists = append(k.Lists, l.ID)
	}
	if f.Template != "" {
		t, err := a.Campaigns.TemplateByName(ctx, a.Workspace.ID, f.Template)
		if err != nil {
			return err
		}
		k.TemplateID = t.ID
	}
	k, err = a.Campaigns.Create(ctx, k)
	if err != nil {
		return err
	}
	fmt.Printf("campaign %d: %s (draft; campaign preflight %d shows its audience)\n", k.ID, k.Name, k.ID)
	return nil
}

// printSenderCheck prints what the start would refuse beyond the audience: the footer's
// missing settings and the sender-authentication findings, each with its fix.
func printSenderCheck(a campaign.Audience) {
	if a.NotReady != "" {
		fmt.Printf("not ready: %s\n", a.NotReady)
	}
	if a.Sender == nil {
		return
	}
	for _, f := range a.Sender.Findings {
		fmt.Printf("%-4s %-9s %s\n", f.Status, f.Check, f.Message)
		if f.Fix != "" {
			fmt.Printf("     fix: %s\n", f.Fix)
		}
	}
	switch {
	case a.Sender.Blocking:
		fmt.Println("sender: a check fails: the campaign will not start until it is fixed")
	case a.Sender.Outbox:
		fmt.Println("sender: no relay configured: messages go to the development outbox (nothing blocks)")
	}
}

func printAudience(eligible int, excluded map[string]int) {
	if eligible >= 0 {
		fmt.Printf("eligible: %d\n", eligible)
	}
	reasons := make([]string, 0, len(excluded))
	for r := range excluded {
		reasons = append(reasons, r)
	}
	slices.SortFunc(reasons, func(a, b string) int { return excluded[b] - excluded[a] })
	for _, r := range reasons {
		fmt.Printf("excluded %6d  %s\n", excluded[r], r)
	}
}

func printJSONValue(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

type templateCmd struct {
	Add struct {
		Name string `arg:""`
		messageFlags
	} `cmd:"" help:"Save a template."`
	Ls   struct{} `cmd:"" help:"Show the saved templates."`
	Show struct {
		Name string `arg:""`
	} `cmd:"" help:"Show a saved template."`
}

func (c *templateCmd) Run(ctx context.Context, kctx *kongContext, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ws := a.Workspace.ID
		switch kctx.Command() {
		case "template add <name>":
			content, err := c.Add.content()
			if err != nil {
				return err
			}
			t, err := a.Campaigns.AddTemplate(ctx, campaign.Template{WorkspaceID: ws, Name: c.Add.Name, Content: content})
			if err != nil {
				return err
			}
			fmt.Printf("template %d: %s\n", t.ID, t.Name)
			return nil
		case "template show <name>":
			t, err := a.Campaigns.TemplateByName(ctx, ws, c.Show.Name)
			if err != nil {
				return err
			}
			return printJSONValue(t)
		default:
			ts, err := a.Campaigns.Templates(ctx, ws)
			if err != nil {
				return err
			}
			tw := table()
			fmt.Fprintln(tw, "ID\tNAME\tSUBJECT\tUPDATED")
			for _, t := range ts {
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\n", t.ID, t.Name, clip(t.Subject, 60), t.UpdatedAt.Format(time.DateOnly))
			}
			return tw.Flush()
		}
	})
}
