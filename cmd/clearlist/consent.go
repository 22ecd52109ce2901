package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/clearlist/clearlist/internal/app"
	"github.com/clearlist/clearlist/internal/config"
	"github.com/clearlist/clearlist/internal/consent"
	"github.com/clearlist/clearlist/internal/contact"
)

type consentCmd struct {
	Verify     consentVerifyCmd     `cmd:"" help:"Walk the workspace's consent ledger and name the first broken entry (exit 1)."`
	Add        consentAddCmd        `cmd:"" help:"Record a consent entry (granted, confirmed, withdrawn, expired, objected) for a contact."`
	Show       consentShowCmd       `cmd:"" help:"Show a contact's consent entries and where each purpose and channel stands."`
	Purposes   consentPurposesCmd   `cmd:"" help:"Show the workspace's purposes."`
	PurposeAdd consentPurposeAddCmd `cmd:"" name:"purpose-add" help:"Declare a purpose consent can be given for (the same as consent purpose add)."`
	Purpose    consentPurposeCmd    `cmd:"" help:"Purposes consent can be given for."`
	Lapse      consentLapseCmd      `cmd:"" help:"Record expired entries for CASL implied consent that has run out (serve does this daily)."`
	Stale      consentStaleCmd      `cmd:"" help:"List consents in force (any kind: sign-up cards, forms, double opt-in, …) given more than N days ago: mail them or ask again."`
}

type consentStaleCmd struct {
	Days    int    `default:"30" help:"Given more than this many days ago."`
	Purpose string `help:"Only this purpose."`
	JSON    bool   `help:"Print JSON lines."`
}

func (c *consentStaleCmd) Run(ctx context.Context, cfg *config.Config) error {
	if c.Days < 0 {
		return fmt.Errorf("--days %d: give 0 or more", c.Days)
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		list, err := a.Consents.Stale(ctx, a.Workspace.ID, time.Duration(c.Days)*24*time.Hour, time.Now().UTC(), c.Purpose)
		if err != nil {
			return err
		}
		if c.JSON {
			enc := json.NewEncoder(os.Stdout)
			for _, s := range list {
				if err := enc.Encode(s); err != nil {
					return err
				}
			}
			return nil
		}
		tw := table()
		fmt.Fprintln(tw, "CONTACT\tE-MAIL\tPURPOSE\tCHANNEL\tSTATE\tBASIS\tGIVEN\tENTRY")
		for _, s := range list {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%d\n", s.ContactID, s.Email, s.Purpose, s.Channel, s.State, s.Basis,
				s.GivenAt.Format("2006-01-02 15:04"), s.EntryID)
		}
		if len(list) == 0 {
			fmt.Fprintf(tw, "(none: no consent in force is older than %d days)\n", c.Days)
		}
		return tw.Flush()
	})
}

type consentLapseCmd struct{}

func (c *consentLapseCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		n, err := a.Consents.LapseImplied(ctx, a.Workspace.ID, time.Now().UTC())
		if err != nil {
			return err
		}
		fmt.Printf("recorded %d lapsed implied consent(s)\n", n)
		return nil
	})
}

type consentVerifyCmd struct {
	JSON bool `help:"Print the result as JSON."`
}

func (c *consentVerifyCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		res, err := a.Consents.Verify(ctx, a.Workspace.ID)
		if err != nil {
			return err
		}
		if c.JSON {
			if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
				return err
			}
		} else if res.Intact {
			fmt.Printf("chain intact: %d entries (head %s)\n", res.Entries, res.Head)
		}
		if !res.Intact {
			return res.Broken
		}
		return nil
	})
}

type consentAddCmd struct {
	Email       string            `required:"" help:"The contact's e-mail address."`
	Purpose     string            `required:"" help:"Purpose, e.g. newsletter (see consent purposes)."`
	Channel     string            `default:"email" help:"Channel: email, phone, sms."`
	Action      string            `default:"granted" help:"granted, confirmed, withdrawn, expired, objected."`
	Basis       string            `default:"consent" help:"consent, double-opt-in, soft-opt-in, legitimate-interest, contract."`
	Wording     string            `help:"The consent text shown to the person."`
	FormID      string            `name:"form-id" help:"The form or page that collected it."`
	FormVersion string            `name:"form-version" help:"The version of that form."`
	IP          string            `name:"ip" help:"The person's IP address."`
	UserAgent   string            `name:"user-agent" help:"The person's browser."`
	At          string            `help:"When the person acted (RFC 3339); default now."`
	DocumentRef string            `name:"document-ref" help:"A reference to a signed form, a call recording, …"`
	Collector   string            `help:"Who collected it."`
	Prechecked  bool              `help:"The box was displayed already ticked (recorded as such; a pre-ticked box is no consent, and check refuses it)."`
	Evidence    map[string]string `name:"evidence" help:"Evidence as KEY=VALUE, the keys of the API's evidence object (wording, form_id, form_version, ip, user_agent, timestamp, document_ref, collector, prechecked); an unknown key is refused."`
	Source      int64             `help:"Id of the source (provenance) the consent came with."`
	Actor       string            `help:"Who records it; default cli:<user>."`
	JSON        bool              `help:"Print the recorded entry as JSON."`
}

func (c *consentAddCmd) Run(ctx context.Context, cfg *config.Config) error {
	at := time.Now()
	if c.At != "" {
		var err error
		if at, err = time.Parse(time.RFC3339Nano, c.At); err != nil {
			return fmt.Errorf("--at %q: give a time like 2026-03-01T09:30:00Z", c.At)
		}
	}
	c.Actor = cliActor(c.Actor)
	ev := consent.Evidence{Wording: c.Wording, FormID: c.FormID, FormVersion: c.FormVersion, IP: c.IP,
		UserAgent: c.UserAgent, Timestamp: at, DocumentRef: c.DocumentRef, Collector: c.Collector, Prechecked: c.Prechecked}
	for _, k := range slices.Sorted(maps.Keys(c.Evidence)) {
		if err := consent.SetEvidence(&ev, k, c.Evidence[k]); err != nil {
			return fmt.Errorf("--evidence %s", strings.TrimPrefix(err.Error(), consent.ErrInvalid.Error()+": "))
		}
	}
	return withApp(ctx, cfg, func(a *app.App) error {
		canonical, err := canonicalEmail(c.Email)
		if err != nil {
			return err
		}
		e, err := a.Consents.RecordByEmail(ctx, canonical, consent.Entry{WorkspaceID: a.Workspace.ID,
			Purpose: c.Purpose, Channel: consent.Channel(c.Channel), Action: consent.Action(c.Action),
			Basis: consent.Basis(c.Basis), SourceID: c.Source, Actor: c.Actor, Evidence: ev})
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(e)
		}
		fmt.Printf("recorded entry %d: %s %s/%s (%s)\n", e.ID, e.Action, e.Purpose, e.Channel, e.Basis)
		return nil
	})
}

type consentShowCmd struct {
	Email string `required:"" help:"The contact's e-mail address."`
	JSON  bool   `help:"Print JSON."`
}

type consentShow struct {
	ContactID int64           `json:"contact_id"`
	Email     string          `json:"email"`
	States    []consentState  `json:"states"`
	Entries   []consent.Entry `json:"entries"`
}

type consentState struct {
	consent.Key
	State   consent.StateName `json:"state"`
	EntryID int64             `json:"entry_id"`
}

func (c *consentShowCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		canonical, err := canonicalEmail(c.Email)
		if err != nil {
			return err
		}
		h, err := a.Consents.HistoryByEmail(ctx, a.Workspace.ID, canonical)
		if err != nil {
			return err
		}
		out := consentShow{ContactID: h.Subject.ID, Email: h.Subject.Email, States: []consentState{}, Entries: h.Entries}
		for _, s := range h.States {
			out.States = append(out.States, consentState{Key: s.Key, State: s.State, EntryID: s.Entry.ID})
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(out)
		}
		tw := table()
		fmt.Fprintln(tw, "PURPOSE\tCHANNEL\tSTATE\tBY ENTRY")
		for _, s := range out.States {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\n", s.Purpose, s.Channel, s.State, s.EntryID)
		}
		fmt.Fprintln(tw, "\nENTRY\tRECORDED\tPURPOSE\tCHANNEL\tACTION\tBASIS\tACTOR\tWORDING")
		for _, e := range h.Entries {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ID, e.RecordedAt.Format("2006-01-02 15:04"),
				e.Purpose, e.Channel, e.Action, e.Basis, e.Actor, clip(e.Evidence.Wording, 40))
		}
		return tw.Flush()
	})
}

type consentPurposesCmd struct {
	JSON bool `help:"Print JSON."`
}

func (c *consentPurposesCmd) Run(ctx context.Context, cfg *config.Config) error {
	return withApp(ctx, cfg, func(a *app.App) error {
		ps, err := a.Consents.Purposes(ctx, a.Workspace.ID)
		if err != nil {
			return err
		}
		if c.JSON {
			return json.NewEncoder(os.Stdout).Encode(ps)
		}
		tw := table()
		fmt.Fprintln(tw, "NAME\tKIND\tFLAG\tDESCRIPTION")
		for _, p := range ps {
			kind, flag := "service", "-"
			if p.Marketing {
				kind = "marketing"
			}
			switch {
			case p.SimilarProducts:
				flag = "similar-products"
			case p.Essential:
				flag = "essential"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Name, kind, flag, p.Description)
		}
		return tw.Flush()
	})
}

type consentPurposeCmd struct {
	Add consentPurposeAddCmd `cmd:"" help:"Declare a purpose consent can be given for."`
}

type consentPurposeAddCmd struct {
	Name            string `arg:"" help:"Purpose name (lower case, digits, hyphens)."`
	Description     string `help:"What messages for this purpose are about."`
	Marketing       bool   `default:"true" negatable:"" help:"Marketing (default) or, with --no-marketing, a service/transactional purpose."`
	SimilarProducts bool   `name:"similar-products" xor:"kind" help:"Marketing of the workspace's own products similar to those a customer bought: a soft opt-in covers it."`
	Service         bool   `xor:"kind" help:"Service messages (the same as --no-marketing): the contract is their basis, marketing consent is not needed."`
	Essential       bool   `xor:"kind" help:"Essential service messages, necessary for the contract or a legal obligation: sent even after an objection (implies --service)."`
}

func (c *consentPurposeAddCmd) Run(ctx context.Context, cfg *config.Config) error {
	p := consent.Purpose{Name: c.Name, Description: c.Description, Marketing: c.Marketing && !c.Service && !c.Essential,
		SimilarProducts: c.SimilarProducts, Essential: c.Essential}
	return withApp(ctx, cfg, func(a *app.App) error {
		if err := a.Consents.AddPurpose(ctx, a.Workspace.ID, p); err != nil {
			return err
		}
		fmt.Printf("added purpose %s (%s)\n", p.Name, purposeKind(p))
		return nil
	})
}

// purposeKind names what the policy makes of a purpose.
func purposeKind(p consent.Purpose) string {
	switch {
	case p.Marketing && p.SimilarProducts:
		return "marketing, similar products"
	case p.Marketing:
		return "marketing"
	case p.Essential:
		return "service, essential"
	}
	return "service"
}

// canonicalEmail is the address as the workspace's contacts are looked up by.
func canonicalEmail(email string) (string, error) {
	_, canonical, err := contact.CanonicalEmail(email)
	return canonical, err
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
