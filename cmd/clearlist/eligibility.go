package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/eligibility"
)

// exitRefused is the exit code of `clearlist check` when the contact may not be contacted
// (0: allowed, 1: an error).
const exitRefused = 3

// eligibilityCmd are the commands about whether a contact may be contacted, embedded at the
// top level of the command line.
type eligibilityCmd struct {
	Check    checkCmd    `cmd:"" help:"Say whether a contact may be contacted for a purpose, and why (exit 0 allowed, 3 refused, 1 error)."`
	LIA      liaCmd      `cmd:"" name:"lia" help:"Legitimate-interest assessments (one per purpose)."`
	LIReason liReasonCmd `cmd:"" name:"li-reason" help:"Record why a contact is the right person for a purpose (legitimate interest)."`
}

type checkCmd struct {
	Email   string `required:"" help:"The contact's e-mail address."`
	Purpose string `required:"" help:"Purpose, e.g. newsletter (see consent purposes)."`
	Channel string `default:"email" help:"Channel: email, phone, sms."`
	JSON    bool   `help:"Print the answer as JSON."`
}

func (c *checkCmd) Run(ctx context.Context, cfg *config.Config) error {
	var res eligibility.Eligibility
	err := withApp(ctx, cfg, func(a *app.App) error {
		var err error
		res, err = a.Elig.Eligibility(ctx, a.Workspace.ID, c.Email, c.Purpose, c.Channel)
		return err
	})
	if err != nil {
		return err
	}
	if c.JSON {
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			return err
		}
	} else {
		printEligibility(res)
	}
	if !res.Allowed {
		os.Exit(exitRefused) // the store is closed already
	}
	return nil
}

func printEligibility(e eligibility.Eligibility) {
	verdict := "refused"
	if e.Allowed {
		verdict = "allowed"
	}
	fmt.Printf("%s: %s for %s by %s\n", verdict, e.Email, e.Purpose, e.Channel)
	fmt.Printf("basis: %s\njurisdiction: %s (rules %s)\n", e.Basis, e.Jurisdiction, e.RulesVersion)
	fmt.Printf("country: %s\ncontact kind: %s\n", describeCountry(e), describeKind(e))
	fmt.Println("reasons:")
	for _, r := range e.Reasons {
		fmt.Printf("  %-8s %-8s %s\n           %s\n", r.Outcome, r.RuleID, r.Text, r.Citation)
	}
	for _, w := range e.Warnings {
		fmt.Printf("warning: %s (rule %s): %s\n", w.Code, w.RuleID, w.Text)
	}
	var req []string
	if e.RequiresOptOut {
		req = append(req, "an opt-out")
	}
	if e.RequiresPostalAddress {
		req = append(req, "the postal address")
	}
	if e.RequiresNotice {
		req = append(req, "the processing notice")
	}
	if len(req) > 0 {
		fmt.Printf("every message must carry: %s\n", strings.Join(req, ", "))
	}
	if e.Notice != "" {
		fmt.Printf("notice:\n%s\n", e.Notice)
	}
}

// describeCountry says which country chose the jurisdiction and where it came from.
func describeCountry(e eligibility.Eligibility) string {
	switch e.CountryFrom {
	case eligibility.CountryFromContact:
		return e.Country + " (the contact's country field)"
	case eligibility.CountryFromAttribute:
		return e.Country + " (the declared country attribute; set the contact's country field instead)"
	case eligibility.CountryFromPhone:
		return e.Country + " (the phone number's country code; set the contact's country to be sure)"
	}
	return "unknown, so the strictest rules apply (set the contact's country)"
}

// describeKind says whether the policy judged the contact corporate or personal, and how.
func describeKind(e eligibility.Eligibility) string {
	if e.ContactKindFrom == "contact" {
		return e.ContactKind + " (the contact's contact_kind field)"
	}
	return e.ContactKind + " (guessed from the channel and the e-mail domain; set contact_kind to say)"
}

type liaCmd struct {
	Set liaSetCmd `cmd:"" help:"Record (or replace) the assessment for a purpose."`
	Ls  liaLsCmd  `cmd:"" help:"Show the workspace's assessments."`
}

type liaSetCmd struct {
	Purpose     string `required:"" help:"The purpose assessed, e.g. product-updates."`
	PurposeText string `name:"purpose-text" required:"" help:"The interest pursued, in plain words (shown in the processing notice)."`
	Necessity   string `required:"" help:"Why contacting people is necessary for it."`
	Balancing   string `required:"" help:"How the people's interests and expectations were weighed."`
	ApprovedBy  string `name:"approved-by" required:"" help:"Who approved the assessment."`
	ApprovedAt  string `name:"approved-at" help:"When (RFC 3339 or YYYY-MM-DD); default now."`
}

func (c *liaSetCmd) Run(ctx context.Context, cfg *config.Config) error {
	var at time.Time
	if c.ApprovedAt != "" {
		var err error
		if at, err = time.Parse(time.RFC3339, c.ApprovedAt); err != nil {
			if at, err = time.Parse(time.DateOnly, c.ApprovedAt); err != nil {
				return fmt.Errorf("--approved-at %q: give a date like 2026-03-01 or 2026-03-01T09:30:00Z", c.ApprovedAt)
			}
		}
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		l, err := a.Consents.SetLIA(ctx, consent.LIA{WorkspaceID: a.Workspace.ID, Purpose: c.Purpose, PurposeText: c.PurposeText,
			Necessity: c.Necessity, Balancing: c.Balancing, ApprovedBy: c.ApprovedBy, ApprovedAt: at})
		if err != nil {
			return err
		}
		fmt.Printf("assessment for %s approved by %s on %s\n", l.Purpose, l.ApprovedBy, l.ApprovedAt.Format(time.DateOnly))
		return nil
	})
}

type liaLsCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *liaLsCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ls, err := a.Consents.LIAs(ctx, a.Workspace.ID)
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(ls)
		}
		tw := table()
		fmt.Fprintln(tw, "PURPOSE\tAPPROVED BY\tAPPROVED\tINTEREST")
		for _, l := range ls {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", l.Purpose, l.ApprovedBy, l.ApprovedAt.Format(time.DateOnly), clip(l.PurposeText, 50))
		}
		return tw.Flush()
	})
}

type liReasonCmd struct {
	Set liReasonSetCmd `cmd:"" help:"Record (or replace) the reason for one contact and purpose."`
}

type liReasonSetCmd struct {
	Email   string `required:"" help:"The contact's e-mail address."`
	Purpose string `required:"" help:"The purpose, e.g. product-updates."`
	Reason  string `required:"" help:"Why this person is the right one to contact for the purpose."`
	Actor   string `help:"Who records it; default cli:<user>."`
}

func (c *liReasonSetCmd) Run(ctx context.Context, cfg *config.Config) error {
	actor := cliActor(c.Actor)
	return withApp(ctx, cfg, func(a *app.App) error {
		canonical, err := canonicalEmail(c.Email)
		if err != nil {
			return err
		}
		_, sub, err := a.Consents.SetLIReasonByEmail(ctx, canonical, consent.LIReason{WorkspaceID: a.Workspace.ID,
			Purpose: c.Purpose, Reason: c.Reason, RecordedBy: actor})
		if err != nil {
			return err
		}
		fmt.Printf("reason recorded for %s (%s)\n", sub.Canonical, c.Purpose)
		return nil
	})
}
