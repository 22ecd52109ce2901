package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/campaign"
)

// abFlags are a campaign's A/B test and tracking choices on `campaign create`.
type abFlags struct {
	ABSubject  []string `name:"ab-subject" help:"A variant: A's message with this subject (repeat for C and D; variant A is --subject or the template's)."`
	ABTemplate []string `name:"ab-template" help:"A variant: this saved template (by name) as the whole message (repeatable)."`
	ABSample   int      `name:"ab-sample" default:"20" help:"Percent of the screened audience in the test, split evenly among the variants."`
	ABMetric   string   `name:"ab-metric" enum:"opens,clicks,clicks-per-delivered" default:"clicks" help:"What decides: opens (machine opens left out; weak since Apple Mail Privacy Protection), clicks (unique clickers), clicks-per-delivered."`
	ABWait     string   `name:"ab-wait" default:"4h" help:"How long after the sample has gone out the test is decided."`

	TrackOpens  string `name:"track-opens" enum:"on,off,default" default:"default" help:"Open tracking for this campaign (default: the workspace's tracking.opens)."`
	TrackClicks string `name:"track-clicks" enum:"on,off,default" default:"default" help:"Click tracking for this campaign (default: the workspace's tracking.clicks)."`
}

// test is the A/B test the flags describe; nil without variants.
func (f abFlags) test(ctx context.Context, a *app.App) (*campaign.ABTest, error) {
	if len(f.ABSubject) == 0 && len(f.ABTemplate) == 0 {
		return nil, nil
	}
	t := &campaign.ABTest{SamplePercent: f.ABSample, Metric: campaign.Metric(f.ABMetric), Wait: f.ABWait}
	for _, s := range f.ABSubject {
		t.Variants = append(t.Variants, campaign.Variant{Subject: s})
	}
	for _, name := range f.ABTemplate {
		tp, err := a.Campaigns.TemplateByName(ctx, a.Workspace.ID, name)
		if err != nil {
			return nil, fmt.Errorf("--ab-template %q: %w", name, err)
		}
		t.Variants = append(t.Variants, campaign.Variant{TemplateID: tp.ID})
	}
	return t, nil
}

// printVariants prints an A/B test's figures per variant, and its decision.
func printVariants(t *campaign.ABTest, d *campaign.ABDecision, figs []campaign.VariantFigures) error {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "\nA/B test (%d%% sample, by %s, decided %s after the sample)\n", t.SamplePercent, t.Metric, t.Wait)
	fmt.Fprintln(tw, "VARIANT\tRECIPIENTS\tSENT\tOPENS\tMACHINE OPENS\tCLICKS\tUNIQUE CLICKS")
	for _, f := range figs {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\n", f.Variant, f.Recipients, f.Sent, f.Opens, f.MachineOpens, f.Clicks, f.UniqueClicks)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if d != nil {
		fmt.Printf("winner: %s (%s; by %s at %s)\n", d.Winner, d.Reason, d.DecidedBy, d.DecidedAt.Format("2006-01-02 15:04 MST"))
	} else {
		fmt.Println("winner: not decided yet")
	}
	return nil
}
