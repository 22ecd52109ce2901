package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/clearlist/clearlist/internal/campaign/report"
)

// report prints a campaign's report, its breakdown, or the members of a bucket.
func (c *campaignCmd) report(ctx context.Context, svc *report.Service, ws int64) error {
	r := c.Report
	bucket := report.Bucket(r.Bucket)
	switch {
	case r.Unknown:
		bucket = report.Unknown
	case r.Failed:
		bucket = report.Failed
	case r.Excluded:
		bucket = report.Excluded
	case r.Sent:
		bucket = report.Sent
	}
	switch {
	case bucket != "":
		return c.reportMembers(ctx, svc, ws, bucket)
	case r.By == "domain":
		ds, err := svc.Domains(ctx, ws, r.ID)
		if err != nil || r.Format != "table" {
			return printRows(ds, err, r.Format)
		}
		tw := table()
		fmt.Fprintln(tw, "DOMAIN\tRECIPIENTS\tSENT\tFAILED\tUNKNOWN\tQUEUED\tEXCLUDED\tBOUNCED\tCOMPLAINED\tUNSUBSCRIBED\tOPENED\tCLICKED")
		for _, d := range ds {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", d.Domain, d.Recipients, d.Sent, d.Failed, d.Unknown,
				d.Queued, d.Excluded, d.Bounced, d.Complained, d.Unsubscribed, d.Opened, d.Clicked)
		}
		return tw.Flush()
	case r.By == "hour":
		hs, err := svc.Hours(ctx, ws, r.ID)
		if err != nil || r.Format != "table" {
			return printRows(hs, err, r.Format)
		}
		tw := table()
		fmt.Fprintln(tw, "HOUR (UTC)\tSENT\tFAILED\tBOUNCED\tCOMPLAINED\tUNSUBSCRIBED\tOPENED\tCLICKED")
		for _, h := range hs {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", h.Hour.Format("2006-01-02 15:04"), h.Sent, h.Failed, h.Bounced,
				h.Complained, h.Unsubscribed, h.Opened, h.Clicked)
		}
		return tw.Flush()
	}
	sum, err := svc.Summary(ctx, ws, r.ID)
	if err != nil {
		return err
	}
	if r.Format != "table" {
		return printJSONValue(sum)
	}
	pct := func(f float64) string { return fmt.Sprintf("%.1f%%", 100*f) }
	tw := table()
	fmt.Fprintf(tw, "campaign %d\t%s (%s)\n", sum.Campaign, sum.Name, sum.State)
	fmt.Fprintf(tw, "recipients\t%d\n", sum.Recipients)
	fmt.Fprintf(tw, "sent\t%d\n", sum.Sent)
	fmt.Fprintf(tw, "delivered\t%d\t%s (accepted by the relay)\n", sum.Delivered, pct(sum.Rates.Delivery))
	fmt.Fprintf(tw, "failed\t%d\t%s\n", sum.Failed, pct(sum.Rates.Failure))
	fmt.Fprintf(tw, "unknown\t%d\t(in flight at a crash; never resent on their own)\n", sum.Unknown)
	fmt.Fprintf(tw, "queued\t%d\n", sum.Queued)
	fmt.Fprintf(tw, "excluded\t%d\n", sum.Excluded)
	fmt.Fprintf(tw, "bounced\t%d\t%s\n", sum.Bounced, pct(sum.Rates.Bounce))
	fmt.Fprintf(tw, "complained\t%d\t%s\n", sum.Complained, pct(sum.Rates.Complaint))
	fmt.Fprintf(tw, "unsubscribed\t%d\t%s\n", sum.Unsubscribed, pct(sum.Rates.Unsubscribe))
	fmt.Fprintf(tw, "opened\t%d\t%s (machines apart: %d)\n", engaged(sum.Opened), pct(sum.Rates.Open), sum.Opened.Machine)
	fmt.Fprintf(tw, "clicked\t%d\t%s (machines apart: %d)\n", engaged(sum.Clicked), pct(sum.Rates.Click), sum.Clicked.Machine)
	if err := tw.Flush(); err != nil {
		return err
	}
	if !sum.Individual {
		fmt.Println("opens and clicks are aggregate counts (tracking.individual is off): nobody is listed as having opened or clicked")
	}
	printAudience(-1, sum.ExcludedBy)
	if sum.Test != nil {
		return printVariants(sum.Test, sum.Decision, sum.Variants)
	}
	return nil
}

// engaged is the people who opened or clicked, or people's fetches when nobody is named.
func engaged(e report.Engagement) int64 {
	if e.Unique > 0 {
		return e.Unique
	}
	return e.People
}

func printJSONLine(v any) error { return json.NewEncoder(os.Stdout).Encode(v) }

// reportMembers prints or exports who is in a bucket, page after page.
func (c *campaignCmd) reportMembers(ctx context.Context, svc *report.Service, ws int64, b report.Bucket) error {
	r := c.Report
	if _, err := report.ParseBucket(string(b)); err != nil {
		return err
	}
	switch r.Format {
	case "csv", "jsonl", "json":
		return svc.Export(ctx, ws, r.ID, b, r.Format, os.Stdout)
	}
	tw := table()
	fmt.Fprintln(tw, "CONTACT\tADDRESS\tSTATE\tCODE\tAT\tREASON")
	err := svc.Each(ctx, ws, r.ID, b, func(m report.Member) error {
		_, err := fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%s\t%s\n", m.ContactID, m.Address, m.State, m.SMTPCode,
			m.At.Format(time.RFC3339), clip(m.Reason, 80))
		return err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

// printRows prints a breakdown as JSON (an array) or JSON lines.
func printRows[T any](rows []T, err error, format string) error {
	if err != nil {
		return err
	}
	if format == "jsonl" {
		for _, r := range rows {
			if err := printJSONLine(r); err != nil {
				return err
			}
		}
		return nil
	}
	if format == "csv" {
		return fmt.Errorf("the breakdown is given as table, json or jsonl; csv is for --bucket lists")
	}
	return printJSONValue(slices.Clip(append([]T{}, rows...)))
}
